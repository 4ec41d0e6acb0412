-- pgbench transaction shaped like one engine command (see docs/benchmarks.md):
-- lock the instance row, rewrite its JSON snapshot with a version bump, rewrite the
-- token projection (DELETE + INSERT of two rows), upsert a variable, write a work row
-- and two history rows. Run with -D rows=<n> (the rows of pgb_instance).
\set id random(1, :rows)
\set w random(1, 2000000000)
BEGIN;
SELECT version, state FROM pgb_instance WHERE id = :id FOR UPDATE;
UPDATE pgb_instance SET state = jsonb_set(state, '{version}', to_jsonb(version + 1)),
    version = version + 1 WHERE id = :id;
DELETE FROM pgb_token WHERE instance_id = :id;
INSERT INTO pgb_token (instance_id, token_id, node_id, scope_id, state)
    VALUES (:id, 'token-1', 'Review', 'root', 'waiting'),
           (:id, 'token-2', 'Other', 'root', 'waiting');
INSERT INTO pgb_variable (instance_id, scope_id, name, type, value)
    VALUES (:id, 'root', 'approved', 'Boolean', 'true')
    ON CONFLICT (instance_id, scope_id, name) DO UPDATE SET value = excluded.value;
INSERT INTO pgb_work (instance_id, wait_id, node_id, state, created_at)
    VALUES (:id, 'wait-' || :w, 'Review', 'open', now());
INSERT INTO pgb_history (instance_id, node_id, state, started_at, ended_at)
    VALUES (:id, 'StartEvent', 'completed', now(), now()), (:id, 'Review', 'active', now(), NULL);
END;
