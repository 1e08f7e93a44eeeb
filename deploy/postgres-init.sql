-- Run once by the postgres image on an empty volume: one server, two databases.
CREATE DATABASE dagster;    -- Dagster's runs, event log and schedules (deploy/dagster.yaml)
CREATE DATABASE warehouse;  -- raw_odoo, raw_carrier, staging, intermediate, marts
