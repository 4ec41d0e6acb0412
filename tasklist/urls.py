"""URLs of the human task inbox (namespace ``tasklist``)."""

from django.urls import path

from tasklist.views import inbox, start, task, task_form

app_name = "tasklist"

urlpatterns = [
    path("", inbox.all_tasks, name="inbox"),
    path("tasks/mine/", inbox.my_tasks, name="mine"),
    path("tasks/group/", inbox.group_tasks, name="group"),
    path("start/", start.start_list, name="start"),
    path("start/<int:definition_id>/", start.start_definition, name="start-definition"),
    path("tasks/<int:task_id>/", task.task_detail, name="task"),
    path("tasks/<int:task_id>/claim/", task.claim, name="claim"),
    path("tasks/<int:task_id>/unclaim/", task.unclaim, name="unclaim"),
    path("tasks/<int:task_id>/complete/", task.complete, name="complete"),
    path("tasks/<int:task_id>/submit/", task_form.submit_form, name="submit-form"),
    path("tasks/<int:task_id>/delegate/", task.delegate, name="delegate"),
    path("tasks/<int:task_id>/resolve/", task.resolve, name="resolve"),
    path("tasks/<int:task_id>/assign/", task.assign, name="assign"),
    path("tasks/<int:task_id>/comment/", task.comment, name="comment"),
]
