-- Tables for bench/pgbench_command.sql: the shape of one engine command's rows
-- (instance snapshot, token projection, variables, work rows, history). ":rows" is
-- replaced by bench/support.py before this runs.
DROP TABLE IF EXISTS pgb_token, pgb_variable, pgb_work, pgb_history, pgb_instance;
CREATE TABLE pgb_instance (
    id bigint PRIMARY KEY,
    version integer NOT NULL,
    status varchar(16) NOT NULL,
    state jsonb NOT NULL
);
CREATE TABLE pgb_token (
    id bigserial PRIMARY KEY,
    instance_id bigint NOT NULL REFERENCES pgb_instance,
    token_id varchar(32) NOT NULL,
    node_id varchar(255) NOT NULL,
    scope_id varchar(32) NOT NULL,
    state varchar(16) NOT NULL,
    UNIQUE (instance_id, token_id)
);
CREATE INDEX ON pgb_token (node_id);
CREATE TABLE pgb_variable (
    id bigserial PRIMARY KEY,
    instance_id bigint NOT NULL REFERENCES pgb_instance,
    scope_id varchar(32) NOT NULL,
    name varchar(255) NOT NULL,
    type varchar(16) NOT NULL,
    value jsonb,
    UNIQUE (instance_id, scope_id, name)
);
CREATE TABLE pgb_work (
    id bigserial PRIMARY KEY,
    instance_id bigint NOT NULL REFERENCES pgb_instance,
    wait_id varchar(32) NOT NULL,
    node_id varchar(255) NOT NULL,
    state varchar(16) NOT NULL,
    created_at timestamptz NOT NULL,
    UNIQUE (instance_id, wait_id)
);
CREATE TABLE pgb_history (
    id bigserial PRIMARY KEY,
    instance_id bigint NOT NULL REFERENCES pgb_instance,
    node_id varchar(255) NOT NULL,
    state varchar(16) NOT NULL,
    started_at timestamptz NOT NULL,
    ended_at timestamptz
);
CREATE INDEX ON pgb_history (instance_id);
-- A ~1 KB snapshot, about the size of the engine's state for a one-user-task process.
INSERT INTO pgb_instance
SELECT g, 0, 'active', jsonb_build_object(
    'instance_id', g::text, 'process_id', 'bench_user_task', 'status', 'active',
    'tokens', jsonb_build_object('token-1', jsonb_build_object(
        'id', 'token-1', 'node_id', 'Review', 'scope_id', 'root', 'state', 'waiting')),
    'scopes', jsonb_build_object('root', jsonb_build_object(
        'id', 'root', 'variables', jsonb_build_object('amount', g, 'requester', 'bench'),
        'completed', jsonb_build_array('StartEvent'))),
    'waits', jsonb_build_object('wait-1', jsonb_build_object(
        'id', 'wait-1', 'kind', 'user_task', 'node_id', 'Review', 'token_id', 'token-1')),
    'pad', repeat('x', 600))
FROM generate_series(1, :rows) AS g;
VACUUM ANALYZE;
