"""pywa (pinned in tests/clients/requirements.lock.txt) pointed at the plugin's server, in the
test's namespace: the route reference/clients-and-360dialog.md §1.2 gives for its base URL."""

import warnings

import pytest
from conftest import DEST_WABA, TOKEN, start_migration

warnings.simplefilter("ignore")
pywa = pytest.importorskip("pywa")
from pywa.errors import WhatsAppError  # noqa: E402


@pytest.fixture
def wa(wabasim):
    client = pywa.WhatsApp(token=TOKEN, waba_id=DEST_WABA, api_version="23.0")
    client.api._session.base_url = wabasim.url + "/v23.0"
    client.api._session.headers.update(wabasim.headers)
    return client


def test_pywa_registers_a_migrated_number(wabasim, wa):
    phone = start_migration(wabasim)
    wa.request_verification_code(code_method="SMS", language_code="en_US", phone_id=phone)
    assert wa.verify_phone_number(code=wabasim.latest_code(phone), phone_id=phone)
    assert wa.register_phone_number(pin="123456", phone_id=phone)
    wabasim.expect(1, operation="register", status=200)
    assert wa.get_business_phone_number(phone_id=phone).id == phone


def test_pywa_sees_a_scripted_fault(wabasim, wa):
    phone = start_migration(wabasim)
    wabasim.add_fault({"match": {"operation": "request_code"}, "times": 1, "error": "too_many_code_requests"})
    with pytest.raises(WhatsAppError):
        wa.request_verification_code(code_method="SMS", language_code="en_US", phone_id=phone)
    wabasim.expect(1, operation="request_code", faulted=True)
