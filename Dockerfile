# The image of every Airflow component and of `credit serve` in docker-compose.yml (docs/deploy.md).
# Airflow's official image (it brings the FAB auth manager, the entrypoint that migrates and creates
# the admin user, uid 50000) with the project installed from the lock, the versions `make test` ran.
ARG AIRFLOW_VERSION=3.3.2
FROM apache/airflow:${AIRFLOW_VERSION}-python3.11
ARG AIRFLOW_VERSION

USER airflow
WORKDIR /opt/credit
COPY --chown=airflow:0 requirements.lock pyproject.toml README.md ./
# Dependencies first (a layer that changes only with the lock); Airflow is pinned to the image's own.
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r requirements.lock
COPY --chown=airflow:0 credit ./credit
COPY --chown=airflow:0 credit_airflow ./credit_airflow
COPY --chown=airflow:0 dags ./dags
RUN pip install --no-cache-dir --no-deps . \
 && python -c "import credit, credit_airflow.alerts; print('credit installed')"

ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/credit/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    CREDIT_HOME=/var/lib/credit \
    CREDIT_DROP=/data/drop \
    GX_ANALYTICS_ENABLED=False
WORKDIR /opt/airflow
