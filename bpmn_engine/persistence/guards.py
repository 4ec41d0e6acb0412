"""The instance version guard evaluated by PostgreSQL inside the state ``UPDATE``.

``procession_version_guard(id, version, target_id, expected_version)`` is true for the row
``target_id`` at ``expected_version``, false for any other row, and raises
``VERSION_CONFLICT`` (SQLSTATE) for the row ``target_id`` at another version. A state
``UPDATE ... WHERE id = %s AND procession_version_guard(id, version, %s, %s)`` therefore
fails by itself when another command moved the row on, so nobody has to read its row count
before the transaction commits: the write can wait and travel with the command's other
writes and its ``COMMIT`` (``sql.defer``). The function is created by migration 0021; its
answer does not depend on the order in which the server tests the ``WHERE`` clauses.
"""

from __future__ import annotations

# Raised by the guard; a command maps it to ``ConcurrentModificationError`` (retried).
VERSION_CONFLICT = "PV409"

POSTGRES_CREATE = f"""
CREATE OR REPLACE FUNCTION procession_version_guard(
    row_id bigint, row_version bigint, target_id bigint, expected_version bigint
) RETURNS boolean AS $$
BEGIN
    IF row_id <> target_id THEN
        RETURN false;
    END IF;
    IF row_version IS DISTINCT FROM expected_version THEN
        RAISE EXCEPTION USING ERRCODE = '{VERSION_CONFLICT}', MESSAGE = format(
            'Expected to update process instance %s at version %s, but another command '
            || 'changed it (version %s)', target_id, expected_version, row_version);
    END IF;
    RETURN true;
END;
$$ LANGUAGE plpgsql VOLATILE;
"""

POSTGRES_DROP = "DROP FUNCTION IF EXISTS procession_version_guard(bigint, bigint, bigint, bigint);"
