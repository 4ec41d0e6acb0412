"""The Camunda 7 REST subset that Camunda Modeler, the Camunda external-task clients and
common scripts use, served under /engine-rest/ and /rest/ as a thin adapter over the same
services, selectors and permission policy as the native API."""
