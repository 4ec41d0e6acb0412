"""The inbox's whole story in a real browser, on the demo's own order intake
(``fixtures/bpmn/forms``): sally in sales sees only sales work, claims her order, gets a
validation error from its generated form, corrects it and completes it; the payment check
appears in frank's open inbox without a reload; frank gets a 404 on sally's task and fills
the finance form (a Camunda Form, rendered by the form-js viewer, with a select) until the
order reaches its end."""

from __future__ import annotations

import pytest

from bpmn_engine.models import ProcessInstance, UserTask
from bpmn_engine.models.work import UserTaskState
from bpmn_engine.services.task_forms import submit_start_form, submit_task_form
from tests.e2e.conftest import as_user, screenshot
from tests.tasklist.form_fixtures import deploy_order_intake

pytestmark = pytest.mark.django_db(transaction=True)


def listed(tab) -> list[str]:
    rows = tab.locator("table.tasks tbody tr[data-task]")
    return [rows.nth(i).get_attribute("data-task") or "" for i in range(rows.count())]


def test_an_order_goes_from_sales_to_finance_and_ends(browser, live_server, people, settings):
    settings.PROCESSION_INBOX_POLL_SECONDS = 0.5
    intake = deploy_order_intake()
    # An earlier order already waits in finance: sally must not see it.
    earlier = submit_start_form(
        definition_id=intake.pk, user=people["sally"], values={"customer": "Earlier"}
    )
    submit_task_form(
        task_id=earlier.user_tasks.get().pk,
        user=people["sally"],
        values={"customer": "Earlier", "amount": 10},
        claim=True,
    )
    waiting = UserTask.objects.get(node_id="CheckPayment", state=UserTaskState.OPEN)
    order = submit_start_form(
        definition_id=intake.pk,
        user=people["sally"],
        values={"customer": "ACME"},
        business_key="ORDER-2026-7",
    )
    task = order.user_tasks.get()

    frank = as_user(browser, live_server, "frank")
    frank.goto("/")
    assert listed(frank) == [str(waiting.pk)]

    # sally: her inbox lists her sales task only
    sally = as_user(browser, live_server, "sally")
    sally.goto("/")
    assert listed(sally) == [str(task.pk)]
    assert "Check the payment" not in sally.locator("#inbox-list").inner_text()
    assert "ORDER-2026-7" in sally.locator("#inbox-list").inner_text()
    screenshot(sally, "story-inbox-sales")
    sally.get_by_role("link", name="Enter the order").click()
    sally.wait_for_url(f"**/tasks/{task.pk}/")
    sally.click("#claim-button")
    sally.wait_for_selector("#submit-form-button")
    assert sally.input_value("#id_f-customer") == "ACME"
    assert sally.input_value("#id_f-region") == "north"  # the diagram's default
    screenshot(sally, "story-task-page")

    # a validation error first, then the corrected form completes the task
    sally.fill("#id_f-amount", "0")
    with sally.expect_navigation():
        sally.click("#submit-form-button")
    assert "Amount (EUR): Enter 1 or more." in sally.locator("#form-errors").inner_text()
    assert sally.input_value("#id_f-amount") == "0"
    assert UserTask.objects.get(pk=task.pk).state == UserTaskState.OPEN
    screenshot(sally, "story-task-form-error")
    sally.fill("#id_f-amount", "1200")
    sally.select_option("#id_f-region", "export")
    with sally.expect_navigation():
        sally.click("#submit-form-button")
    assert "Task completed." in sally.locator(".messages").inner_text()
    assert listed(sally) == []
    assert UserTask.objects.get(pk=task.pk).state == UserTaskState.COMPLETED

    # frank's open inbox shows the new payment check without a reload
    check = UserTask.objects.get(instance=order, node_id="CheckPayment")
    frank.wait_for_selector(f'tr[data-task="{check.pk}"]')
    assert sorted(listed(frank)) == sorted([str(waiting.pk), str(check.pk)])
    screenshot(frank, "story-inbox-finance")
    assert frank.goto(f"/tasks/{task.pk}/").status == 404
    assert "Enter the order" not in frank.content()

    # the finance form: the form-js viewer, checked in the browser and on the server
    frank.goto(f"/tasks/{check.pk}/")
    frank.click("#claim-button")
    frank.wait_for_selector(".form-js-container .fjs-form")
    assert frank.locator("[data-form-fallback]").is_hidden()
    viewer = frank.locator(".form-js-container")
    assert viewer.get_by_label("Customer").input_value() == "ACME"
    assert viewer.get_by_label("Ordered amount (EUR)").input_value() == "1200"
    viewer.get_by_label("Invoice number").fill("42")
    viewer.get_by_label("Amount received (EUR)").fill("1200.50")
    frank.click("#submit-form-button")  # the pattern and the select refuse: nothing posted
    assert "Enter the invoice number as INV-1234." in viewer.inner_text()
    assert UserTask.objects.get(pk=check.pk).state == UserTaskState.OPEN
    viewer.get_by_label("Invoice number").fill("INV-2026")
    choose(viewer, "Payment method", "Card")
    viewer.get_by_label("Payment matches the order").check()
    viewer.get_by_label("Remarks").fill("<b>paid</b> in full")
    screenshot(frank, "story-finance-form")
    with frank.expect_navigation():
        frank.click("#submit-form-button")
    assert "Task completed." in frank.locator(".messages").inner_text()

    order = ProcessInstance.objects.get(pk=order.pk)
    assert order.status == "completed"  # the end event "Order booked" was reached
    values = dict(order.variable_rows.values_list("name", "value"))
    assert values["payment_method"] == "card"
    assert values["paid_amount"] == 1200.5 and values["amount"] == 1200
    assert values["invoice_number"] == "INV-2026" and values["payment_matched"] is True
    assert values["region"] == "export" and values["remarks"] == "<b>paid</b> in full"


def choose(viewer, label: str, option: str) -> None:
    """Pick ``option`` in a form-js select: a dropdown list opened by focusing its
    (visually hidden) input, as the keyboard does, not a native select."""
    viewer.get_by_label(label).focus()
    viewer.locator(".fjs-dropdownlist-item", has_text=option).first.click()
    assert viewer.locator(".fjs-select-display", has_text=option).count() == 1
