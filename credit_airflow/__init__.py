"""What the Airflow deployment of `credit` needs beyond the DAG file: the operators' alert and the drop sensor.

Kept out of the ``credit`` package, which never imports Airflow, and out of ``dags/``, because
the triggerer (which sends the lateness alert) and every worker import it by its dotted path;
it is installed with the project, so each Airflow component finds it.
"""
