"""The real Graph client libraries against a running wabasim: pywa and facebook-business
(versions pinned in requirements.lock.txt), pointed at the simulator as
reference/clients-and-360dialog.md §1.2 describes, each step through the library's public
methods where one exists.

Usage: WABASIM_URL=http://127.0.0.1:PORT python graph_clients_flow.py
Exits non-zero at the first step that fails, naming it. Every run uses a fresh namespace.
"""
import json
import os
import sys
import urllib.request
import uuid
import warnings

warnings.simplefilter("ignore")

B = os.environ["WABASIM_URL"].rstrip("/")
NS = "graph-clients-" + uuid.uuid4().hex[:12]
DEST, SRC = "200000000000002", "200000000000001"
TOKEN = "wabasim-new-bsp"

from pywa import WhatsApp  # noqa: E402
from pywa.errors import WhatsAppError, RegistrationOrDeregistrationFailed  # noqa: E402
from pywa.types import templates as T  # noqa: E402

wa = WhatsApp(token=TOKEN, waba_id=DEST, api_version="23.0")
wa.api._session.base_url = B + "/v23.0"
wa.api._session.headers["X-Wabasim-Namespace"] = NS

from facebook_business.api import FacebookAdsApi  # noqa: E402
from facebook_business.adobjects.whatsappbusinessaccount import (  # noqa: E402
    WhatsAppBusinessAccount as FbWaba,
)
from facebook_business.adobjects.whatsappbusinesspreverifiedphonenumber import (  # noqa: E402
    WhatsAppBusinessPreVerifiedPhoneNumber as FbPhone,
)
from facebook_business.exceptions import FacebookRequestError  # noqa: E402

api = FacebookAdsApi.init(access_token=TOKEN, api_version="v23.0", crash_log=False)
api._session.GRAPH = B
api._session.requests.headers["X-Wabasim-Namespace"] = NS


def fail(step, why):
    print(f"FAIL {step}: {why}", file=sys.stderr)
    sys.exit(1)


def check(step, condition, why):
    if not condition:
        fail(step, why)
    print(f"PASS {step}")


def admin(path):
    req = urllib.request.Request(B + path, headers={"X-Wabasim-Namespace": NS})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


# --- the migration, alternating libraries ------------------------------------------------
created = FbWaba(DEST).create_phone_number(
    params={"cc": "1", "phone_number": "5550100001", "migrate_phone_number": True}
)
phone = created["id"]
check("facebook-business create_phone_number(migrate_phone_number=True)", phone.isdigit(), created)

FbPhone(phone).create_request_code(params={"code_method": "SMS", "language": "en_US"})
check("facebook-business request_code", admin(f"/__admin/codes?phone_number_id={phone}")["codes"], "no code sent")
wa.request_verification_code(code_method="VOICE", language_code="en", phone_id=phone)
codes = admin(f"/__admin/codes?phone_number_id={phone}")["codes"]
check("pywa request_verification_code (query-string POST)", codes[-1]["method"] == "VOICE", codes)
check("pywa verify_phone_number", wa.verify_phone_number(code=codes[-1]["code"], phone_id=phone), "not True")
check("pywa register_phone_number", wa.register_phone_number(pin="123456", phone_id=phone), "not True")

# --- typed reads ------------------------------------------------------------------------
number = wa.get_business_phone_number(phone_id=phone)
check("pywa get_business_phone_number", number.id == phone and number.verified_name == "Acme", number)
numbers = list(wa.get_business_phone_numbers(waba_id=DEST))
check("pywa get_business_phone_numbers", any(n.id == phone for n in numbers), numbers)
account = wa.get_business_account(waba_id=DEST)
check(
    "pywa get_business_account",
    account.id == DEST and account.name == "Acme (New BSP)" and account.timezone_id == "1",
    account,
)
raw = api.call("GET", (phone,), params={"fields": "status,platform_type"}).json()
check("facebook-business api.call GET phone", raw == {"status": "CONNECTED", "platform_type": "CLOUD_API", "id": phone}, raw)
waba = dict(FbWaba(DEST).api_get(fields=["id", "name", "account_review_status", "currency"]))
check("facebook-business api_get WABA", waba.get("account_review_status") == "APPROVED", waba)
listed = [dict(p) for p in FbWaba(DEST).get_phone_numbers(fields=["display_phone_number", "status"])]
check("facebook-business get_phone_numbers", any(p.get("id") == phone for p in listed), listed)

templates = wa.get_templates(waba_id=DEST)
names = sorted((t.name, t.language.value if hasattr(t.language, "value") else t.language) for t in templates)
check(
    "pywa get_templates (with its summary)",
    templates.total_count >= 4 and ("order_update", "en_US") in names,
    names,
)
quality = {t["name"]: t["quality_score"]["score"] for t in FbWaba(DEST).get_message_templates(
    fields=["name", "quality_score"], params={"status": ["APPROVED"]}) if t["name"] == "order_update"}
check("facebook-business get_message_templates (JSON list filter)", quality == {"order_update": "UNKNOWN"}, quality)

# --- writes around the flow -------------------------------------------------------------
made = wa.create_template(
    template=T.Template(
        name="clients_probe",
        language=T.TemplateLanguage.ENGLISH_US,
        category=T.TemplateCategory.UTILITY,
        components=[T.BodyText("Your order is ready")],
    ),
    waba_id=DEST,
)
check("pywa create_template", str(made.status).endswith("PENDING"), made)
check("pywa delete_template", wa.delete_template(template_name="clients_probe", waba_id=DEST), "not True")
check(
    "pywa override_waba_callback_url",
    wa.override_waba_callback_url(callback_url="http://127.0.0.1:9/hook", verify_token="vt", waba_id=DEST),
    "not True",
)
apps = [dict(a) for a in FbWaba(DEST).get_subscribed_apps()]
check(
    "facebook-business get_subscribed_apps",
    apps and apps[0].get("override_callback_uri") == "http://127.0.0.1:9/hook",
    apps,
)
check("pywa delete_waba_callback_url", wa.delete_waba_callback_url(waba_id=DEST), "not True")
migrated = wa.migrate_templates(source_waba_id=SRC, destination_waba_id=DEST)
check("pywa migrate_templates", len(migrated.migrated_templates) >= 1, migrated)

# --- messaging (reference messaging-and-360dialog.md: send, status webhooks, analytics) --
from pywa.types import MessageStatus, MessageStatusType  # noqa: E402
from pywa.errors import ReEngagementMessage  # noqa: E402


def admin_post(path, body):
    req = urllib.request.Request(
        B + path,
        data=json.dumps(body).encode(),
        headers={"X-Wabasim-Namespace": NS, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req) as r:
        return json.load(r)


sent = wa.send_template(
    to="+15551230001",
    name="order_update",
    language=T.TemplateLanguage.ENGLISH_US,
    params=[T.BodyText.params("Al")],
    sender=phone,
)
check("pywa send_template (a copied template)", sent.id.startswith("wamid."), sent)
text = wa.send_message(to="15551230002", text="hello", sender=phone, tracker="t-1")
check("pywa send_message (text)", text.id.startswith("wamid."), text)
admin_post("/__admin/clock/advance", {"duration": "1m"})
updates = [e["payload"] for e in admin("/__admin/events")["events"] if e["field"] == "messages"]
statuses = [MessageStatus.from_update(client=wa, update=u) for u in updates]
told = {(s.id, s.status) for s in statuses}
check(
    "pywa parses sent, delivered and read of the template",
    {(sent.id, MessageStatusType.SENT), (sent.id, MessageStatusType.DELIVERED), (sent.id, MessageStatusType.READ)} <= told,
    told,
)
priced = next(s for s in statuses if s.id == sent.id and s.status == MessageStatusType.DELIVERED)
check(
    "pywa reads the PMP pricing and the v23.0 conversation",
    priced.pricing.billable and str(priced.pricing.model) == "PMP"
    and str(priced.pricing.category) == "utility" and priced.conversation is not None,
    (priced.pricing, priced.conversation),
)
failed = next(s for s in statuses if s.id == text.id)
check(
    "pywa reads the 24-hour window failure as ReEngagementMessage (131047)",
    failed.status == MessageStatusType.FAILED and isinstance(failed.error, ReEngagementMessage)
    and failed.tracker == "t-1",
    (failed.status, failed.error, failed.tracker),
)
analytics = dict(FbWaba(DEST).api_get(fields=[
    "pricing_analytics.start(1767225600).end(1767312000).granularity(DAILY).dimensions([PRICING_CATEGORY])"
]))
points = analytics["pricing_analytics"]["data"][0]["data_points"]
check(
    "facebook-business reads pricing_analytics (agrees with /__admin/billing)",
    points == [{"start": 1767225600, "end": 1767312000, "pricing_category": "UTILITY", "volume": 1, "cost": 0.004}]
    and admin("/__admin/billing")["booked"] == 1,
    points,
)

# --- errors land in each library's typed exceptions --------------------------------------
try:
    FbWaba(DEST).create_phone_number(params={"cc": "1", "phone_number": "5550100002", "migrate_phone_number": True})
    fail("facebook-business FacebookRequestError", "no error raised")
except FacebookRequestError as e:
    check(
        "facebook-business FacebookRequestError",
        (e.http_status(), e.api_error_code(), e.api_error_subcode()) == (400, 100, 2388103),
        (e.http_status(), e.api_error_code(), e.api_error_subcode()),
    )
# graph-fidelity-review.md row 1: a phone-number id where a WABA id belongs is code 100
# "... on node type (WhatsAppBusinessPhoneNumber)", no subcode, which callers branch on.
try:
    api.call("GET", (phone, "message_templates"))
    fail("facebook-business node-type error", "no error raised")
except FacebookRequestError as e:
    check(
        "facebook-business node-type error (100, no subcode)",
        (e.http_status(), e.api_error_code(), e.api_error_subcode()) == (400, 100, None)
        and "on node type (WhatsAppBusinessPhoneNumber)" in e.api_error_message(),
        (e.http_status(), e.api_error_code(), e.api_error_subcode(), e.api_error_message()),
    )
try:
    wa.get_templates(waba_id=phone).all()
    fail("pywa node-type error", "no error raised")
except WhatsAppError as e:
    check(
        "pywa node-type error (100)",
        e.code == 100 and "nonexisting field (message_templates)" in e.message,
        (type(e).__name__, e.code, e.message),
    )
# Row 2: a BODY over 1024 characters is refused, 100/2388040.
try:
    FbWaba(DEST).create_message_template(
        params={
            "name": "too_long_body",
            "language": "en_US",
            "category": "UTILITY",
            "components": [{"type": "BODY", "text": "x" * 1025}],
        }
    )
    fail("facebook-business 2388040", "no error raised")
except FacebookRequestError as e:
    check(
        "facebook-business template BODY limit (100/2388040)",
        (e.http_status(), e.api_error_code(), e.api_error_subcode()) == (400, 100, 2388040),
        (e.http_status(), e.api_error_code(), e.api_error_subcode()),
    )
try:
    for _ in range(12):
        wa.deregister_phone_number(phone_id=phone)
        wa.register_phone_number(pin="123456", phone_id=phone)
    fail("pywa RegistrationOrDeregistrationFailed", "no error raised")
except RegistrationOrDeregistrationFailed as e:
    check("pywa RegistrationOrDeregistrationFailed (133016)", e.code == 133016, e)
except WhatsAppError as e:
    fail("pywa RegistrationOrDeregistrationFailed", f"wrong class {type(e).__name__}: {e}")

print("graph-clients: all steps passed")
