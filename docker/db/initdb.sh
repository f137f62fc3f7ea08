#!/bin/bash
# First start only (docker-entrypoint-initdb.d): the lake's extensions in its database.
# The lake's own bootstrap (manage.py serve) creates its roles and schemas and
# detects each extension; creating them here needs the superuser it does not keep.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS vector;
CREATE SCHEMA IF NOT EXISTS partman;
CREATE EXTENSION IF NOT EXISTS pg_partman SCHEMA partman;
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE EXTENSION IF NOT EXISTS timescaledb;
SQL
