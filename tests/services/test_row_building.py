"""Rows the write path builds without the ORM's per-field work: a process definition read
again with the same values skips its conversion (SQLite), and a new instance row is made
without ``Model.__init__``; both give the same model instances the ORM would."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import JSONField
from django.utils import timezone

from bpmn_engine.models import ProcessDefinition, ProcessInstance
from bpmn_engine.persistence import sql, store
from bpmn_engine.services import deploy_definition, start_instance
from tests.services.test_transactions import DIAGRAM, started

pytestmark = pytest.mark.django_db


#: PostgreSQL hands out JSON decoded: there is nothing to keep.
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL hands out JSON decoded: nothing kept"
)


@pytest.fixture
def json_decodes(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every JSON column value decoded from a row (``JSONField.from_db_value``)."""
    seen: list[object] = []
    decode = JSONField.from_db_value

    def counting(self: JSONField, value: object, expression: object, conn: object) -> object:
        seen.append(value)
        return decode(self, value, expression, conn)

    monkeypatch.setattr(JSONField, "from_db_value", counting)
    return seen


@sqlite_only
def test_a_definition_read_again_unchanged_is_not_decoded_again(json_decodes):
    started()
    with transaction.atomic():
        first, _ = store.latest_definition("guarded")
    json_decodes.clear()
    with transaction.atomic():
        again, _ = store.latest_definition("guarded")
    assert json_decodes == []
    assert again is not first
    assert [getattr(again, f.attname) for f in ProcessDefinition._meta.concrete_fields] == [
        getattr(first, f.attname) for f in ProcessDefinition._meta.concrete_fields
    ]


def test_a_definition_read_again_is_an_instance_of_its_own():
    started()
    with transaction.atomic():
        first, _ = store.latest_definition("guarded")
    first.candidate_starter_users.append("mallory")
    with transaction.atomic():
        again, _ = store.latest_definition("guarded")
    assert again.candidate_starter_users == []
    assert again.candidate_starter_groups is not first.candidate_starter_groups


def test_a_changed_definition_row_is_read_as_changed():
    started()
    with transaction.atomic():
        before, _ = store.latest_definition("guarded")
    ProcessDefinition.objects.filter(pk=before.pk).update(suspended=True)
    with transaction.atomic():
        after, _ = store.latest_definition("guarded")
    assert (before.suspended, after.suspended) == (False, True)


def test_a_new_instance_row_equals_the_one_the_orm_makes():
    deploy_definition(name="guarded", resources={"guarded.bpmn": DIAGRAM})
    definition = ProcessDefinition.objects.get(key="guarded")
    now = timezone.now()
    fields = {
        "definition": definition,
        "business_key": "B-1",
        "started_at": now,
        "parent": None,
        "parent_wait_id": "",
        "started_by": None,
    }
    made, orm = sql.new(ProcessInstance, **fields), ProcessInstance(**fields)
    assert {k: v for k, v in vars(made).items() if k != "_state"} == {
        k: v for k, v in vars(orm).items() if k != "_state"
    }
    assert (made._state.adding, made._state.db) == (orm._state.adding, orm._state.db)
    assert made.definition is definition
    other = sql.new(ProcessInstance, **fields)
    assert other.state == {} and other.state is not made.state  # a callable default, per row


def test_starting_an_instance_makes_its_row_without_model_init(monkeypatch):
    deploy_definition(name="guarded", resources={"guarded.bpmn": DIAGRAM})
    made: list[object] = []
    init = ProcessInstance.__init__

    def counting(self: ProcessInstance, *args: object, **kwargs: object) -> None:
        made.append(kwargs)
        init(self, *args, **kwargs)

    monkeypatch.setattr(ProcessInstance, "__init__", counting)
    instance = start_instance(definition_key="guarded", business_key="B-2")
    assert made == []
    assert ProcessInstance.objects.get(pk=instance.pk).business_key == "B-2"


@sqlite_only
def test_a_definition_read_after_the_time_zone_setting_changes_is_converted_anew(settings):
    started()
    with transaction.atomic():
        aware, _ = store.latest_definition("guarded")
    settings.USE_TZ = False
    with transaction.atomic():
        naive, _ = store.latest_definition("guarded")
    assert aware.created_at.tzinfo is not None
    assert naive.created_at.tzinfo is None
