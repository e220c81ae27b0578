create database airflow_meta;
