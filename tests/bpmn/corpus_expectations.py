# ruff: noqa: E501
"""Errors the validator reports on corpus files whose executable processes cannot run.

Maps corpus path -> {(code, element id)}. Only errors of executable processes (isExecutable
true or absent) and document-level errors are listed. Most entries are MIWG models: they
are drawings for interchange tests (isExecutable absent or bpmn.io's default "true"), not
runnable processes, so conditions, timer values and called processes are simply missing.
"""

from __future__ import annotations

EXPECTED_ERRORS: dict[str, set[tuple[str, str]]] = {
    "bpmn-moddle/bpmn-in-color.bpmn": {
        # fixture/fragment process without a top-level start event
        ("no-start-event", "Process_1"),
    },
    "bpmn-moddle/link-event-definition-target.bpmn": {
        # fixture/fragment process without a top-level start event
        ("no-start-event", "valid-link-event-definitions"),
    },
    "bpmn-moddle/namespace-redefinition.bpmn": {
        # fixture/fragment process without a top-level start event
        ("no-start-event", "Process_1"),
    },
    "bpmn-moddle/nested-default-namespace-prefix.bpmn": {
        # fixture/fragment process without a top-level start event
        ("no-start-event", "Process"),
    },
    "bpmn-moddle/nested-no-namespace-prefix.bpmn": {
        # fixture/fragment process without a top-level start event
        ("no-start-event", "Process"),
    },
    "bpmn-moddle/simple-default-ns.bpmn": {
        # fixture/fragment process without a top-level start event
        ("no-start-event", "Process_1"),
    },
    "bpmn-moddle/vendor/bizagi-nested-ns-definition.bpmn": {
        # fixture/fragment process without a top-level start event
        ("no-start-event", "Id_f2afc6ec-e5fc-4205-837c-4f637bf95ba6"),
    },
    "bpmn-moddle/vendor/yaoqiang-event-definitions.bpmn": {
        # script format we do not run: 'c#'
        ("unsupported-script-format", "ID_ExecuteScript"),
        # timer text is not ISO 8601 / cron
        ("invalid-timer", "ID_UserTimeoutEvent"),
        # condition not in a language we parse
        (
            "expression-syntax",
            "ID_Flow_EsclusiveGateway_ErrorEnd",
        ),  # syntax error at column 13: unexpected '=' (use '==' to compa
        (
            "expression-syntax",
            "ID_Flow_EsclusiveGateway_ServiceTask",
        ),  # syntax error at column 13: unexpected '=' (use '==' to compa
    },
    "camunda7/engine-tests/event/error/ErrorEventSubProcessTest.testCatchErrorThrownByScriptTaskInTopLevelProcess.bpmn20.xml": {
        # script format we do not run: 'groovy'
        ("unsupported-script-format", "scriptTask"),
    },
    "camunda7/engine-tests/multiinstance/MultiInstanceTest.testParallelScriptTasks.bpmn20.xml": {
        # script format we do not run: 'groovy'
        ("unsupported-script-format", "miScriptTask"),
    },
    "camunda7/examples/spring-boot-starter-external-task-client/loan-granting.bpmn": {
        # script format we do not run: 'javascript'
        ("unsupported-script-format", "Task_1lvjtd4"),
    },
    "camunda7/foreign-modelers/testInvoiceProcessFromBusinessProcessIncubator.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "nein_185"),
        # condition not in a language we parse
        ("expression-syntax", "ja_186"),  # syntax error at column 6: unexpected 'condition'
    },
    "camunda8/zeebe/ModelWalkerTest.bpmn": {
        # condition not in a language we parse
        ("expression-syntax", "Flow_1yxvdzm"),  # syntax error at column 7: unexpected 'of'
    },
    "camunda8/zeebe/ZeebePropertiesTest.bpmn": {
        # condition not in a language we parse
        ("expression-syntax", "Flow_1yxvdzm"),  # syntax error at column 7: unexpected 'of'
    },
    "miwg/exports/aris-10.2025.07/A.2.0-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "ID-272d2d06-70be-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-272d2d0e-70be-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-272d2d14-70be-11e9-69f8-f48e38b53512"),
    },
    "miwg/exports/aris-10.2025.07/A.2.1-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "ID-7b6da084-70be-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-7b6da086-70be-11e9-69f8-f48e38b53512"),
    },
    "miwg/exports/aris-10.2025.07/B.1.0-export.bpmn": {
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "ID-418f8a50-7235-11e9-69f8-f48e38b53512"),
        # descriptive model: call activity names no called process
        ("missing-called-element", "ID-3ecac51b-7235-11e9-69f8-f48e38b53512"),
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "ID-418f8a67-7235-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-41968f2b-7235-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-41990015-7235-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-f88b99f7-e688-11e9-69f8-f48e38b53512"),
    },
    "miwg/exports/aris-10.2025.07/B.2.0-export.bpmn": {
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "ID-9aabee07-7236-11e9-69f8-f48e38b53512"),
        ("timer-undefined", "ID-9f931dd1-7236-11e9-69f8-f48e38b53512"),
        ("timer-undefined", "ID-9f93e137-7236-11e9-69f8-f48e38b53512"),
        ("timer-undefined", "ID-9f93e143-7236-11e9-69f8-f48e38b53512"),
        # descriptive model: call activity names no called process
        ("missing-called-element", "ID-9aabedda-7236-11e9-69f8-f48e38b53512"),
        ("missing-called-element", "ID-9aabedfb-7236-11e9-69f8-f48e38b53512"),
        # standard loop without loopCondition or loopMaximum never ends
        ("endless-loop", "ID-9f9a49ef-7236-11e9-69f8-f48e38b53512"),
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "ID-2b7311ca-7237-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-2b7311ce-7237-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-9f960425-7236-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-9f9a49df-7236-11e9-69f8-f48e38b53512"),
    },
    "miwg/exports/aris-10.2025.07/C.1.0-export.bpmn": {
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "ID-16b7937b-723a-11e9-69f8-f48e38b53512"),
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "ID-16b94123-723a-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-16b9412b-723a-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-16b9413d-723a-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-16b94141-723a-11e9-69f8-f48e38b53512"),
    },
    "miwg/exports/aris-10.2025.07/C.1.1-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "ID-5b6ab453-723a-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-5b6ab455-723a-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-5b6ab459-723a-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-5cc00af8-723a-11e9-69f8-f48e38b53512"),
    },
    "miwg/exports/aris-10.2025.07/C.2.0-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "ID-51a007f8-723b-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-51a0080a-723b-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-7415bf61-723b-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-7415bf67-723b-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-7415bf69-723b-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-7415bf6b-723b-11e9-69f8-f48e38b53512"),
    },
    "miwg/exports/aris-10.2025.07/C.3.0-export.bpmn": {
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "ID-de03d1ea-723b-11e9-69f8-f48e38b53512"),
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "ID-de03d20d-723b-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-de03d211-723b-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-de044711-723b-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-de04471b-723b-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-de04471f-723b-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-de044721-723b-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-de044725-723b-11e9-69f8-f48e38b53512"),
    },
    "miwg/exports/aris-10.2025.07/C.4.0-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "ID-7579fa83-724c-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-c2e7322f-725c-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-de044741-723b-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-f4a3f972-725e-11e9-69f8-f48e38b53512"),
        # standard loop without loopCondition or loopMaximum never ends
        ("endless-loop", "ID-c2e7322c-725c-11e9-69f8-f48e38b53512"),
    },
    "miwg/exports/aris-10.2025.07/C.5.0-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "ID-0f302f46-72f9-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-0f302f4a-72f9-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-0f302f50-72f9-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-0f302f58-72f9-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-46148e92-7260-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-46148e94-7260-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-7c7ee3d6-72f7-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-7c7ee3da-72f7-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-924e21b4-7268-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-924e21b8-7268-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-edf983b1-7260-11e9-69f8-f48e38b53512"),
        ("missing-condition", "ID-edf983bf-7260-11e9-69f8-f48e38b53512"),
    },
    "miwg/exports/aris-10.2025.07/C.6.0-export.bpmn": {
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "ID-350b531d-d52d-11e9-593a-782bcb6839a2"),
        ("timer-undefined", "ID-d9fd8ac3-5a69-11eb-51da-265672845aca"),
    },
    "miwg/exports/aris-10.2025.07/C.7.0-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "ID-14b24d62-757e-11ea-1607-e454e8a94fcb"),
        ("missing-condition", "ID-14b24d64-757e-11ea-1607-e454e8a94fcb"),
    },
    "miwg/exports/aris-10.2025.07/C.8.0-export.bpmn": {
        # condition not in a language we parse
        (
            "expression-syntax",
            "ID-845cdb20-4e0e-11ed-17f9-8cec4b8c3cc3",
        ),  # syntax error at column 8: unexpected 'Validation'
    },
    "miwg/exports/aris-10.2025.07/C.8.1-export.bpmn": {
        # condition not in a language we parse
        (
            "expression-syntax",
            "ID-16a6a871-4f8c-11ed-17f9-8cec4b8c3cc3",
        ),  # syntax error at column 8: unexpected 'Validation'
    },
    "miwg/exports/aris-10.2025.07/C.9.0-export.bpmn": {
        # descriptive model: call activity names no called process
        ("missing-called-element", "ID-3bbeedcd-5656-11f0-4f81-e4434b300a48"),
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "ID-3bbeedd1-5656-11f0-4f81-e4434b300a48"),
        ("missing-condition", "ID-84cb6423-565b-11f0-4f81-e4434b300a48"),
    },
    "miwg/exports/aris-10.2025.07/C.9.1-export.bpmn": {
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "ID-5d1d4d63-5588-11f0-4f81-e4434b300a48"),
        ("timer-undefined", "ID-5d1d4d69-5588-11f0-4f81-e4434b300a48"),
    },
    "miwg/exports/aris-10.2025.07/C.9.2-export.bpmn": {
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "ID-01f40400-55a1-11f0-4f81-e4434b300a48"),
        ("timer-undefined", "ID-071ae94d-55ae-11f0-4f81-e4434b300a48"),
        # descriptive model: call activity names no called process
        ("missing-called-element", "ID-071ae948-55ae-11f0-4f81-e4434b300a48"),
    },
    "miwg/exports/bpmn.io-camunda-modeler-18.6.1/A.2.1-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "Flow_19m0ydj"),
        ("missing-condition", "Flow_1xhc3bf"),
    },
    "miwg/exports/bpmn.io-camunda-modeler-18.6.1/B.1.0-export.bpmn": {
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "StartEvent_1"),
    },
    "miwg/exports/bpmn.io-camunda-modeler-18.6.1/B.2.0-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "Flow_1fmiuuz"),
        # standard loop without loopCondition or loopMaximum never ends
        ("endless-loop", "Activity_1n1hhyt"),
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "StartEvent_1"),
        # descriptive model: call activity names no called process
        ("missing-called-element", "Activity_0qnc8vy"),
    },
    "miwg/exports/bpmn.io-camunda-modeler-18.6.1/C.1.0-export.bpmn": {
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "Event_1m6mn1s"),
    },
    "miwg/exports/bpmn.io-camunda-modeler-18.6.1/C.1.1-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "Flow_029m3t7"),
        ("missing-condition", "Flow_0fb3pzb"),
        ("missing-condition", "Flow_0iddldi"),
        ("missing-condition", "Flow_0ttj7nn"),
    },
    "miwg/exports/bpmn.io-camunda-modeler-18.6.1/C.3.0-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "Flow_042vwgm"),
        ("missing-condition", "Flow_07lhkb0"),
        ("missing-condition", "Flow_0am3e0w"),
        ("missing-condition", "Flow_0pr12q5"),
        ("missing-condition", "Flow_0wow8xd"),
        ("missing-condition", "Flow_15h599x"),
        ("missing-condition", "Flow_1m9fllr"),
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "Event_1p3ah5d"),
    },
    "miwg/exports/bpmn.io-camunda-modeler-18.6.1/C.5.0-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "Flow_03olk7p"),
        ("missing-condition", "Flow_0474q31"),
        ("missing-condition", "Flow_04jrss9"),
        ("missing-condition", "Flow_0a1q7lz"),
        ("missing-condition", "Flow_0seyzm2"),
        ("missing-condition", "Flow_0tstl3d"),
        ("missing-condition", "Flow_0wsn5cd"),
        ("missing-condition", "Flow_1dnwq9r"),
        ("missing-condition", "Flow_1n2v14t"),
        ("missing-condition", "Flow_1rojgff"),
        # descriptive model: call activity names no called process
        ("missing-called-element", "Activity_10xe0k2"),
    },
    "miwg/exports/bpmn.io-camunda-modeler-18.6.1/C.6.0-export.bpmn": {
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "Event_0isfp1w"),
        ("timer-undefined", "Event_1gu9t77"),
    },
    "miwg/exports/bpmn.io-camunda-modeler-18.6.1/C.7.0-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "Flow_0puyce6"),
        ("missing-condition", "Flow_14ytgtt"),
    },
    "miwg/exports/bpmn.io-camunda-modeler-18.6.1/C.9.0-export.bpmn": {
        # descriptive model: call activity names no called process
        ("missing-called-element", "Activity_0zdpcxw"),
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "Flow_0l50zdr"),
        ("missing-condition", "Flow_1qhwarq"),
        ("missing-condition", "Flow_1t7mfpf"),
        ("missing-condition", "Flow_1uicyui"),
    },
    "miwg/exports/bpmn.io-camunda-modeler-18.6.1/C.9.1-export.bpmn": {
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "Event_08bx9nv"),
        ("timer-undefined", "Event_0r6z74c"),
    },
    "miwg/exports/bpmn.io-camunda-modeler-18.6.1/C.9.2-export.bpmn": {
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "Event_04cqtl3"),
        ("timer-undefined", "Event_0s3q36a"),
        # descriptive model: call activity names no called process
        ("missing-called-element", "Activity_0ikw23h"),
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "Flow_0eh8wk7"),
    },
    "miwg/exports/sap-signavio-process-manager-19.9.0/C.9.0-export.bpmn": {
        # condition not in a language we parse
        (
            "expression-syntax",
            "SequenceFlow_Red",
        ),  # syntax error at column 3: 'some' is not supported
        (
            "expression-syntax",
            "sid-983A8FAC-406E-454E-B0F3-9AF3F47368FA",
        ),  # syntax error at column 3: 'every' is not supported
    },
    "miwg/exports/trisotech-workflow-modeler-12.6.3/A.2.0-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "_2e57229c-2823-4d7e-afc3-e11065fb2b60"),
        ("missing-condition", "_4b0b3ae5-4002-4521-b8c2-877f54d3c4d6"),
        ("missing-condition", "_afaeb5aa-370b-40eb-8a89-baf76ac8e7ba"),
    },
    "miwg/exports/trisotech-workflow-modeler-12.6.3/A.2.1-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "_0acd5ca1-0b6a-4c3c-97eb-c4509d0dfe04"),
        ("missing-condition", "_86e56692-6d34-4e34-a49e-73a4df04affb"),
    },
    "miwg/exports/trisotech-workflow-modeler-12.6.3/B.1.0-export.bpmn": {
        # fixture/fragment process without a top-level start event
        ("no-start-event", "_41f86b8d-e440-4667-8990-9f1ff760f968"),
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "_7c468e38-832c-4fb0-8f3c-bf8710bc8a16"),
        # descriptive model: call activity names no called process
        ("missing-called-element", "_7b3d6098-a60d-4d88-aa60-8a699ae3b021"),
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "_15772cc0-5d7a-41be-8a5c-f95e6ebec545"),
        ("missing-condition", "_d3b6d57c-8674-4521-90ad-f37dab44ccc3"),
        ("missing-condition", "_e4fdbfc1-4c36-434b-8d7d-455d5537067c"),
        ("missing-condition", "_e884add7-dbe0-4e38-8474-768d3929e447"),
    },
    "miwg/exports/trisotech-workflow-modeler-12.6.3/B.2.0-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "_06953a32-ce19-47f0-aea7-86612def6d26"),
        ("missing-condition", "_672d830e-673d-4f1b-af73-d5f474d3bace"),
        ("missing-condition", "_8a7aef10-c073-446d-b025-79ea5cb883a9"),
        ("missing-condition", "_bdcbff9c-c59e-4e4a-821d-ad28f0177739"),
        ("missing-condition", "_dab8d968-7b17-4a4a-a3c0-c1c98487adc2"),
        # descriptive model: call activity names no called process
        ("missing-called-element", "_29b4b7c0-518f-4c4b-b4da-7412377e634f"),
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "_47c233ae-04f9-4483-bac8-54027248447e"),
        ("timer-undefined", "_949aa217-c242-4e3e-ae31-a15a7be03fa7"),
        ("timer-undefined", "_ba6ffc29-683b-48be-b945-f3f4981cf218"),
        ("timer-undefined", "_c7cf388b-172e-41e5-991a-e0335ca1f567"),
        # standard loop without loopCondition or loopMaximum never ends
        ("endless-loop", "_94f6fe29-7087-4039-a3cc-9818cdc9e495"),
    },
    "miwg/exports/trisotech-workflow-modeler-12.6.3/C.1.0-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "_94b5da59-fcb1-45a3-9d5f-cab44dc3ef1f"),
        ("missing-condition", "_94f5963e-db54-406b-8ba3-38a4c18485a4"),
        ("missing-condition", "_ebad8fdb-61f4-41a9-98ac-31d7a95e76fb"),
        ("missing-condition", "_f6a932d3-7cc9-4f22-b0e7-8334c78b2af0"),
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "_b8150240-8b49-4c6b-b1fe-2b18ee717c01"),
    },
    "miwg/exports/trisotech-workflow-modeler-12.6.3/C.1.1-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "_15be69be-16e5-4e40-bad0-5b7a348e51f8"),
        ("missing-condition", "_2fa802c9-580b-4192-a748-6b16061ab0c2"),
        ("missing-condition", "_b2d62f26-3839-4ce2-bf31-35ceac728738"),
        ("missing-condition", "_ce8a6b56-99e9-4412-92cf-53e90d92ea29"),
    },
    "miwg/exports/trisotech-workflow-modeler-12.6.3/C.2.0-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "_01af2f86-4154-40b7-9d6a-2cfb06cdd34c"),
        ("missing-condition", "_10fa27d5-f255-495d-9d1c-f3249c11961c"),
        ("missing-condition", "_54e635d6-241e-40fa-8b94-d49ce0302390"),
        ("missing-condition", "_84b7ea00-96db-4c0d-8ef0-070d4fb64bc9"),
        ("missing-condition", "_88acf3ac-6f22-4108-ad1c-9861befa6289"),
        ("missing-condition", "_fecaff58-d595-4e8b-9f36-431fa21d558d"),
    },
    "miwg/exports/trisotech-workflow-modeler-12.6.3/C.3.0-export.bpmn": {
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "_cbcf91a8-c0e6-4cb6-8aaf-28bb314cea29"),
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "_1caccf18-5f37-4fc9-955f-bac108380d16"),
        ("missing-condition", "_4ee5234b-9447-44a8-8d22-f5af2bbdbd14"),
        ("missing-condition", "_5fa0cdf3-21b4-4410-b11f-6dc99683cc58"),
        ("missing-condition", "_70ace669-2259-446b-97a6-e72232996840"),
        ("missing-condition", "_bb7b55e0-4d30-4cd0-b863-d75005620385"),
        ("missing-condition", "_ef6942e1-06f4-4c43-b5af-f51a9f11f365"),
        ("missing-condition", "_fadd5fe5-5924-4f07-84ef-1e02bc1f576b"),
    },
    "miwg/exports/trisotech-workflow-modeler-12.6.3/C.4.0-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "_8784b219-38c4-4e72-b7b8-3f223d043714"),
        ("missing-condition", "_bf103fd1-7c9d-4624-804c-4da03003b8c4"),
        ("missing-condition", "_cf3087f5-8ddc-4fc6-9507-c482597f5362"),
        ("missing-condition", "_eb7183a4-058f-4fe5-b867-65a79ac48b70"),
        # standard loop without loopCondition or loopMaximum never ends
        ("endless-loop", "_8cc478f7-2b5c-46f6-a71b-ad12a1f26045"),
    },
    "miwg/exports/trisotech-workflow-modeler-12.6.3/C.5.0-export.bpmn": {
        # descriptive model: call activity names no called process
        ("missing-called-element", "_4f23f79d-53a7-43fc-8e82-8c61baab9654"),
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "_0080292d-0b2b-4c15-8514-9052fee8433a"),
        ("missing-condition", "_29d4edff-60d8-413d-af20-f4f3359994a2"),
        ("missing-condition", "_3a8f7ce0-9509-4e2d-9602-b252ac525b88"),
        ("missing-condition", "_430dbcbb-0372-4fdf-adc8-ddb95f191786"),
        ("missing-condition", "_4ae9c696-89d2-4112-b6f1-8660b633f927"),
        ("missing-condition", "_62ee6646-ed22-4635-a287-55c63dae0fee"),
        ("missing-condition", "_6e68f6c5-f33e-4db8-8f87-9495ab4e99ae"),
        ("missing-condition", "_9859a2cd-d0b9-489a-900c-4c0ff8f0ce01"),
        ("missing-condition", "_acd266b3-33d7-4a21-b1fe-3dbe559c8361"),
        ("missing-condition", "_c49bcabf-b123-41b9-8d94-92b6dcd5ba4d"),
        ("missing-condition", "_caa84a43-20e6-4914-a899-1f277fceff2f"),
        ("missing-condition", "_e94bea87-6879-4932-8f2d-cacd46a17ffa"),
    },
    "miwg/exports/trisotech-workflow-modeler-12.6.3/C.6.0-export.bpmn": {
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "_2f82d078-6daf-4b25-938e-4a1023dfd6bb"),
        ("timer-undefined", "_f6dd33a6-148f-4692-9d1b-f4d595037f26"),
    },
    "miwg/exports/trisotech-workflow-modeler-12.6.3/C.7.0-export.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "_48c60795-7d5c-4046-9487-5b9bee15952d"),
        ("missing-condition", "_6076dc79-01d0-421a-8093-77ec91df23bd"),
    },
    "miwg/exports/trisotech-workflow-modeler-12.6.3/C.8.0-export.bpmn": {
        # condition not in a language we parse
        (
            "expression-syntax",
            "_0a659818-bdad-44d9-ac25-d5cc082a35a2",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_19c6bc37-c909-471f-b69a-b89ac5c49355",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_1bc6e0f6-d88d-4a9b-b886-4f16e85e5b16",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_1ca794b7-3d9f-49c6-91fa-b54882481ac4",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_5012aef4-a0f5-42c5-854c-61d869da55f6",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_57a18a66-887b-4d09-8910-96c9eff620f4",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_5c65f266-2677-4f9a-90f3-10c46f866dd9",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_859afa3c-6bc1-4524-aaaa-e4ed5330fe9b",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_8f29dc48-0c12-4f26-a2ad-0a2dfa946c9c",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_b0ce23c0-3a51-4cfb-bebb-60bd08efc884",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_b9c9acec-2647-4130-b896-026f8a283ca7",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_c5401678-9915-4062-bae1-c9c051775aba",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_c5ecdd0e-1685-4fad-9333-c4d31c4c99e8",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_cf591c84-e662-44a3-a615-b003b5a355ce",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_e261d2a3-d5e3-4ddd-9211-1eb26f42de99",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_f4915211-0aee-434c-a6d7-2aa50b09a20b",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_f98e5229-4bac-4c2b-85cb-62913cc52ad7",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_fb168a94-61b8-4508-ae67-fd3cb6baf172",
        ),  # syntax error at column 10: unexpected 'Approval'
    },
    "miwg/exports/trisotech-workflow-modeler-12.6.3/C.8.1-export.bpmn": {
        # condition not in a language we parse
        (
            "expression-syntax",
            "_0a659818-bdad-44d9-ac25-d5cc082a35a2",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_19c6bc37-c909-471f-b69a-b89ac5c49355",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_1bc6e0f6-d88d-4a9b-b886-4f16e85e5b16",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_1ca794b7-3d9f-49c6-91fa-b54882481ac4",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_5012aef4-a0f5-42c5-854c-61d869da55f6",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_57a18a66-887b-4d09-8910-96c9eff620f4",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_5c65f266-2677-4f9a-90f3-10c46f866dd9",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_859afa3c-6bc1-4524-aaaa-e4ed5330fe9b",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_8f29dc48-0c12-4f26-a2ad-0a2dfa946c9c",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_b0ce23c0-3a51-4cfb-bebb-60bd08efc884",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_b9c9acec-2647-4130-b896-026f8a283ca7",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_c5401678-9915-4062-bae1-c9c051775aba",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_c5ecdd0e-1685-4fad-9333-c4d31c4c99e8",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_cf591c84-e662-44a3-a615-b003b5a355ce",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_e261d2a3-d5e3-4ddd-9211-1eb26f42de99",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_f4915211-0aee-434c-a6d7-2aa50b09a20b",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_f98e5229-4bac-4c2b-85cb-62913cc52ad7",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_fb168a94-61b8-4508-ae67-fd3cb6baf172",
        ),  # syntax error at column 10: unexpected 'Approval'
    },
    "miwg/exports/trisotech-workflow-modeler-12.6.3/C.9.0-export.bpmn": {
        # descriptive model: call activity names no called process
        ("missing-called-element", "_5346ce62-d9e4-4542-8fc3-6db9de6960a4"),
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "_0bec1995-000b-4ced-82bd-d5007c9f7348"),
        ("missing-condition", "_2d5adecc-00fa-424a-b280-e892d27dafc4"),
        ("missing-condition", "_6531abc4-54c3-4445-908d-8d90b4b4442c"),
        ("missing-condition", "_91719a06-5b1e-44a8-a2fa-cd24ee97ea72"),
    },
    "miwg/exports/trisotech-workflow-modeler-12.6.3/C.9.1-export.bpmn": {
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "_748ecbcb-f2a4-478b-831a-faed30b9552f"),
        ("timer-undefined", "_b9487ce6-dc98-462c-aa09-e7e0d7a8512b"),
    },
    "miwg/exports/trisotech-workflow-modeler-12.6.3/C.9.2-export.bpmn": {
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "_4c134de1-9051-4c82-ae55-d52ebf2bdcab"),
        ("timer-undefined", "_627ef6a8-8c16-4566-9bde-1c363b856118"),
        # descriptive model: call activity names no called process
        ("missing-called-element", "_c7f21668-13ad-4c6e-9bb9-c29a612f41e8"),
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "_69062792-5d1b-41c2-bb7c-f28d0e1fe189"),
    },
    "miwg/reference/C.1.1.bpmn": {
        # condition not in a language we parse
        ("expression-syntax", "invoiceApproved"),  # syntax error at column 5: unexpected ':'
        (
            "expression-syntax",
            "invoiceNotApproved",
        ),  # syntax error at column 9: expected ')' but found ':'
        ("expression-syntax", "reviewNotSuccessful"),  # syntax error at column 5: unexpected ':'
        ("expression-syntax", "reviewSuccessful"),  # syntax error at column 5: unexpected ':'
    },
    "miwg/reference/C.3.0.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "_3fb323d5-2c59-487a-af63-804208f6c5cb"),
        ("missing-condition", "_437e5969-1e61-4cb9-aa76-4f8854f32eeb"),
        ("missing-condition", "_ada039b6-94dd-4a15-a6b1-c7fe662c64ee"),
        ("missing-condition", "_b99800c3-c340-460c-a43e-098014a365d0"),
        ("missing-condition", "_cddf9325-a85b-4347-8c57-8b909fa77ae9"),
        ("missing-condition", "_cf380e47-1401-4e7e-b710-193b626e49eb"),
        # condition not in a language we parse
        (
            "expression-syntax",
            "_be893987-caec-4605-b078-bd96b7cd6c12",
        ),  # syntax error at column 9: unexpected 'Level'
    },
    "miwg/reference/C.4.0.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "_12e2f256-ec10-4a8d-934c-329143c588d8"),
        ("missing-condition", "_237c8380-5449-446e-a323-aad80181176d"),
        ("missing-condition", "_7e9d8b8b-faa9-4264-858b-7454702c4ec2"),
        ("missing-condition", "_ca6f904d-e30d-4777-a7dd-661650e1e3a2"),
        # standard loop without loopCondition or loopMaximum never ends
        ("endless-loop", "_788443d9-65f0-43a4-96a8-63e8d6f380a7"),
    },
    "miwg/reference/C.5.0.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "_1887adee-8291-4640-a5fa-3dc5f33d5a34"),
        ("missing-condition", "_470d1a12-e1fa-4471-b753-cfd7dbe20d80"),
        ("missing-condition", "_664f3a71-3efa-4c94-8797-815f2e377cf7"),
        ("missing-condition", "_6912e5ed-5cae-4798-b6e6-8d367ddb3f60"),
        ("missing-condition", "_8a77d7f6-320a-47ff-a155-57ee200df478"),
        ("missing-condition", "_ae94e0c1-aa12-433f-bd44-a4d8a70a089e"),
        ("missing-condition", "_afc35597-a482-432a-8ace-17adaf609572"),
        ("missing-condition", "_c329c58d-4a71-471f-acb9-b7f7113d8547"),
        ("missing-condition", "_e25b9c2d-690e-470b-8993-112002994fc2"),
        ("missing-condition", "_e88d64c7-3aaf-4a5f-9787-4e5ba696312b"),
        ("missing-condition", "_eec53048-291a-4802-8fec-012857f845eb"),
        ("missing-condition", "_fcb09e30-bfe6-46b9-af01-6777c60026f2"),
    },
    "miwg/reference/C.6.0.bpmn": {
        # descriptive model: timer event without timeDate/timeDuration/timeCycle
        ("timer-undefined", "_32c4138c-74ae-484a-a7e5-0609370d7080"),
        ("timer-undefined", "_87baeef0-f32e-4a93-b802-fdd588aaf729"),
    },
    "miwg/reference/C.7.0.bpmn": {
        # descriptive model: diverging gateway drawn without conditions
        ("missing-condition", "_1d201a22-d500-4412-a32a-2c7e24ad4d6b"),
        ("missing-condition", "_d74707c7-6af3-4db7-9403-924bfdf6a7d8"),
    },
    "miwg/reference/C.8.1.bpmn": {
        # condition not in a language we parse
        (
            "expression-syntax",
            "_0a1c4f20-509f-4aeb-baf9-acc762f4fdf9",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_325973e7-0bc8-4136-b6df-be1e681d8608",
        ),  # syntax error at column 10: unexpected 'Approval'
        (
            "expression-syntax",
            "_f2b0da63-d841-4457-ad85-7d86c8b5c1d2",
        ),  # syntax error at column 10: unexpected 'Approval'
    },
    "miwg/reference/C.9.0.bpmn": {
        # condition not in a language we parse
        (
            "expression-syntax",
            "SequenceFlow_Red",
        ),  # syntax error at column 3: 'some' is not supported
        (
            "expression-syntax",
            "SequenceFlow_Yellow",
        ),  # syntax error at column 3: 'every' is not supported
    },
    "spiffworkflow/bpmn/data/Test-Workflows/CallActivity-Escalation-Test-Sub.bpmn20.xml": {
        # condition not in a language we parse
        (
            "expression-syntax",
            "SequenceFlow_0expyhf",
        ),  # syntax error at column 22: unknown function 'vars'
    },
}
