#!/usr/bin/env python3
"""SDK compatibility test: drives wabasim's cams facade with the unmodified official Python SDK.

Runs the documented migration flow (reference alibaba-cams.md §7.1), the follow-up reads, the
registration of a number that is not migrated (§7.2), the template operations (§7.4) and
SendChatappMessage (a template and a text, billed to the space's WABA) and
SendChatappMassMessage (a batch, a recipient Meta refuses as its Failed receipt), then
checks that a wrong secret and a throttled call raise the SDK's own exceptions, and that every
failure row of ../shared/reference/alibaba-cams-errors.md (H1-H5, M1-M4, L1-L9) reaches a
production caller as the exception class, code and HTTP status asserted in `failures()`;
with the opt-in fixture setting `cams.business_error_status: 200` a business failure returns
normally with its `Code`. Every response is
checked on the parsed SDK model (the SDK silently returns body=None when a field has the wrong
JSON shape) and on exact JSON types. Prints one line per step and exits non-zero at the first
failed check.

The throttling check installs a one-shot `throttle` fault through `POST /__admin/faults`.

Environment:
  WABASIM_URL        simulator base URL (default http://127.0.0.1:8787)
  WABASIM_NAMESPACE  world to use (default: a fresh random one per run)
  WABASIM_CAMS_V2    set to 1 to also run one call with the legacy HMAC-SHA1 signer

Needs only alibabacloud-cams20200606 (written against 5.3.1) and the standard library.
"""
from __future__ import annotations

import json
import os
import pathlib
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

from alibabacloud_cams20200606 import models as cams
from alibabacloud_cams20200606.client import Client
from alibabacloud_tea_openapi import utils_models as open_api_models
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException

BASE_URL = os.environ.get('WABASIM_URL', 'http://127.0.0.1:8787').rstrip('/')
NAMESPACE = os.environ.get('WABASIM_NAMESPACE') or f'cams-sdk-{uuid.uuid4().hex[:12]}'
NAMESPACE_HEADER = 'x-wabasim-namespace'

ACCESS_KEY_ID = 'wabasim-ak'
ACCESS_KEY_SECRET = 'wabasim-secret'
CUST_SPACE_ID = 'cams-acme'
ALIBABA_WABA = '200000000000011'
COUNTRY_CODE = '1'
MOBILE_NUMBER = '5550100001'
PHONE_NUMBER = COUNTRY_CODE + MOBILE_NUMBER

# The fixture sets these on the WABA bound to the space.
WABA_FIELDS = ('id', 'name', 'account_review_status', 'business_id', 'business_name', 'currency',
               'message_template_namespace')

# A number on no WABA yet: added and registered through the embedded-signup operations.
NEW_CC = '1'
NEW_NATIONAL = '5550100099'
NEW_NUMBER = NEW_CC + NEW_NATIONAL

# Fields the fixture sets on every phone number; None means the facade dropped or misspelt one.
PHONE_NUMBER_FIELDS = (
    'phone_number', 'verified_name', 'status', 'quality_rating', 'messaging_limit_tier',
    'code_verification_status', 'name_status', 'status_callback_url', 'up_callback_url',
    'status_queue', 'up_queue', 'is_official',
)


class Failure(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failure(message)


def ok(step: str, detail: str = '') -> None:
    print(f'ok   {step}' + (f': {detail}' if detail else ''), flush=True)


# ---------------------------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------------------------

def make_client(secret: str = ACCESS_KEY_SECRET, signature_algorithm: str | None = None,
                namespace: str | None = None, access_key_id: str = ACCESS_KEY_ID) -> Client:
    endpoint = urllib.parse.urlsplit(BASE_URL).netloc
    config = open_api_models.Config(
        access_key_id=access_key_id,
        access_key_secret=secret,
        endpoint=endpoint,
        protocol='http',
        region_id='ap-southeast-1',
        # Headers here go on every request of this client and are signed like the SDK's own.
        global_parameters=open_api_models.GlobalParameters(headers={NAMESPACE_HEADER: namespace or NAMESPACE}),
    )
    if signature_algorithm:
        config.signature_algorithm = signature_algorithm
    return Client(config)


def admin(method: str, path: str, payload: dict | None = None) -> dict:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(f'{BASE_URL}{path}', data=data, method=method)
    request.add_header(NAMESPACE_HEADER, NAMESPACE)
    if data is not None:
        request.add_header('Content-Type', 'application/json')
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
    except urllib.error.HTTPError as e:
        raise Failure(f'admin {method} {path} answered HTTP {e.code}: {e.read()[:300]!r}') from None
    except urllib.error.URLError as e:
        raise Failure(f'admin {method} {path} unreachable at {BASE_URL}: {e.reason}') from None
    try:
        return json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise Failure(f'admin {method} {path} did not answer JSON: {raw[:300]!r}') from None


def install_throttle_fault(operation: str) -> None:
    """The one place that knows the fault-injection payload, so it is easy to adjust."""
    admin('POST', '/__admin/faults', {
        'match': {'facade': 'cams', 'operation': operation},
        'action': {'throttle': {}},
        'times': 1,
    })


def latest_code(phone_number: str) -> str:
    codes = admin('GET', '/__admin/codes').get('codes')
    check(isinstance(codes, list), f'/__admin/codes: "codes" is not a list: {codes!r}')
    mine = [c for c in codes if isinstance(c, dict) and c.get('phone_number') == phone_number]
    check(mine, f'/__admin/codes has no code for {phone_number}: {codes!r}')
    code = mine[-1].get('code')
    check(isinstance(code, str) and code != '', f'/__admin/codes entry has no code: {mine[-1]!r}')
    return code


# ---------------------------------------------------------------------------------------------
# Response checks
# ---------------------------------------------------------------------------------------------

def body_of(step: str, response):
    """The parsed body, failing clearly when the SDK could not map it (it does not raise)."""
    check(response is not None, f'{step}: SDK returned no response object')
    check(response.status_code == 200, f'{step}: HTTP {response.status_code}')
    body = response.body
    raw = getattr(response, '_map', None)
    raw = raw.get('body', raw) if isinstance(raw, dict) else raw
    check(body is not None, f'{step}: the SDK could not map the JSON onto its model '
                            f'(a field has the wrong JSON shape); raw body: {raw!r}')
    return body


def expect_ok(step: str, response):
    body = body_of(step, response)
    check(body.code == 'OK', f'{step}: Code={body.code!r} Message={body.message!r}')
    check(isinstance(body.request_id, str) and body.request_id, f'{step}: RequestId missing: {body.request_id!r}')
    return body


def expect_types(step: str, obj, **types) -> None:
    """Exact JSON types, because the Go and Java SDKs will not coerce them as Python does."""
    for name, typ in types.items():
        value = getattr(obj, name)
        # bool is an int in Python; an int field must not be satisfied by true/false.
        good = isinstance(value, typ) and not (typ is int and isinstance(value, bool))
        check(good, f'{step}: {name}={value!r} is {type(value).__name__}, expected {typ.__name__}')


# ---------------------------------------------------------------------------------------------
# The flow
# ---------------------------------------------------------------------------------------------

def run() -> None:
    print(f'cams SDK flow against {BASE_URL}, namespace {NAMESPACE}', flush=True)
    client = make_client()

    step = 'CreateChatappMigrationInitiate'
    body = expect_ok(step, client.create_chatapp_migration_initiate(cams.CreateChatappMigrationInitiateRequest(
        cust_space_id=CUST_SPACE_ID, country_code=COUNTRY_CODE, mobile_number=MOBILE_NUMBER)))
    check(body.data is not None, f'{step}: Data missing')
    expect_types(step, body.data, id=str, phone_number=str, status=str)
    check(body.data.status == 'MIGRATING', f'{step}: Data.Status={body.data.status!r}, expected MIGRATING')
    check(body.data.phone_number == PHONE_NUMBER, f'{step}: Data.PhoneNumber={body.data.phone_number!r}')
    phone_number_id = body.data.id
    ok(step, f'Id={phone_number_id} Status={body.data.status}')

    step = 'GetMigrationVerifyCode'
    body = expect_ok(step, client.get_migration_verify_code(cams.GetMigrationVerifyCodeRequest(
        cust_space_id=CUST_SPACE_ID, phone_number=PHONE_NUMBER, method='SMS', locale='en_US')))
    check(body.data is not None, f'{step}: Data missing')
    expect_types(step, body.data, id=str, phone_number=str)
    check(body.message == 'None', f'{step}: Message={body.message!r} (L1: the doc sample shows "None")')
    check(body.access_denied_detail == 'None', f'{step}: AccessDeniedDetail={body.access_denied_detail!r} (L2)')
    ok(step, f'Data.Id={body.data.id}')

    step = 'admin codes'
    code = latest_code(PHONE_NUMBER)
    ok(step, f'code {code}')

    wrong = '000000' if code != '000000' else '111111'
    expect_raise(  # H1, H3: Meta's 136025 relayed
        'ChatappMigrationVerified with a wrong code -> ClientException ERR-FB-001', ClientException, 400,
        'ERR-FB-001', lambda: client.chatapp_migration_verified(cams.ChatappMigrationVerifiedRequest(
            cust_space_id=CUST_SPACE_ID, phone_number=PHONE_NUMBER, verify_code=wrong)),
        message='(#136025) Verify code error')

    step = 'ChatappMigrationVerified'
    body = expect_ok(step, client.chatapp_migration_verified(cams.ChatappMigrationVerifiedRequest(
        cust_space_id=CUST_SPACE_ID, phone_number=PHONE_NUMBER, verify_code=code)))
    ok(step)

    step = 'GetPhoneNumberVerificationStatus'
    body = expect_ok(step, client.get_phone_number_verification_status(cams.GetPhoneNumberVerificationStatusRequest(
        cust_space_id=CUST_SPACE_ID, phone_number=PHONE_NUMBER)))
    check(body.data is not None, f'{step}: Data missing')
    check(body.data.code_verification_status == 'VERIFIED',
          f'{step}: CodeVerificationStatus={body.data.code_verification_status!r}, expected VERIFIED')
    ok(step, body.data.code_verification_status)

    step = 'ChatappMigrationRegister'
    expect_ok(step, client.chatapp_migration_register(cams.ChatappMigrationRegisterRequest(
        cust_space_id=CUST_SPACE_ID, phone_number=PHONE_NUMBER)))
    ok(step)

    step = 'QueryChatappPhoneNumbers'
    body = expect_ok(step, client.query_chatapp_phone_numbers(cams.QueryChatappPhoneNumbersRequest(
        cust_space_id=CUST_SPACE_ID)))
    expect_types(step, body, success=bool)
    check(body.success is True, f'{step}: Success={body.success!r}')
    numbers = [n for n in body.phone_numbers if n.phone_number == PHONE_NUMBER]
    check(len(numbers) == 1, f'{step}: expected {PHONE_NUMBER} once, got {[n.phone_number for n in body.phone_numbers]}')
    number = numbers[0]
    missing = [f for f in PHONE_NUMBER_FIELDS if getattr(number, f) is None]
    check(not missing, f'{step}: fields missing from the number: {missing}')
    expect_types(step, number, **{f: str for f in PHONE_NUMBER_FIELDS})
    check(number.status == 'CONNECTED', f'{step}: Status={number.status!r}, expected CONNECTED')
    check(number.is_official in ('Y', 'N'), f'{step}: IsOfficial={number.is_official!r}')
    check(number.name_status == 'Approval', f'{step}: NameStatus={number.name_status!r}, expected Approval')
    ok(step, f'{number.phone_number} {number.status} tier={number.messaging_limit_tier} quality={number.quality_rating}')

    step = 'ListChatappTemplate'
    body = expect_ok(step, client.list_chatapp_template(cams.ListChatappTemplateRequest(
        cust_space_id=CUST_SPACE_ID, page=cams.ListChatappTemplateRequestPage(index=1, size=10))))
    expect_types(step, body, success=bool, total=int)
    check(body.list_template, f'{step}: no templates listed (migrated copies expected)')
    check(body.total >= len(body.list_template), f'{step}: Total={body.total} < {len(body.list_template)} listed')
    check(len(body.list_template) <= 10, f'{step}: page size 10 exceeded: {len(body.list_template)}')
    for t in body.list_template:
        expect_types(step, t, template_code=str, template_name=str, language=str, audit_status=str, category=str)
        if t.last_update_time is not None:
            expect_types(step, t, last_update_time=int)
    template = body.list_template[0]
    ok(step, f'Total={body.total}, first {template.template_name}/{template.language} ({template.audit_status})')

    step = 'GetChatappTemplateDetail'
    body = expect_ok(step, client.get_chatapp_template_detail(cams.GetChatappTemplateDetailRequest(
        cust_space_id=CUST_SPACE_ID, template_code=template.template_code, language=template.language)))
    check(body.data is not None, f'{step}: Data missing')
    check(body.data.template_code == template.template_code,
          f'{step}: TemplateCode={body.data.template_code!r}, asked for {template.template_code!r}')
    check(body.data.language == template.language, f'{step}: Language={body.data.language!r}')
    check(body.data.name == template.template_name, f'{step}: Name={body.data.name!r}, listed as {template.template_name!r}')
    check(body.data.components, f'{step}: no Components')
    for c in body.data.components:
        expect_types(step, c, type=str)
    if body.data.allow_send is not None:
        expect_types(step, body.data, allow_send=bool)
    ok(step, f'{body.data.name}: {len(body.data.components)} components')

    step = 'QueryChatappBindWaba'
    body = expect_ok(step, client.query_chatapp_bind_waba(cams.QueryChatappBindWabaRequest(
        cust_space_id=CUST_SPACE_ID)))
    check(body.data is not None, f'{step}: Data missing')
    expect_types(step, body.data, id=str)
    check(body.data.id, f'{step}: Data.Id empty')
    missing = [f for f in WABA_FIELDS if getattr(body.data, f) is None]
    check(not missing, f'{step}: fields missing from Data: {missing}')
    expect_types(step, body.data, **{f: str for f in WABA_FIELDS})
    check(body.data.account_review_status == 'APPROVED', f'{step}: {body.data.account_review_status!r}')
    ok(step, f'WABA {body.data.id} {body.data.account_review_status}')

    registration(client)
    templates(client)
    metrics(client)
    messaging(client)
    mass_messaging(client)

    if os.environ.get('WABASIM_CAMS_V2') == '1':
        step = 'QueryChatappBindWaba (V2 HMAC-SHA1 signer)'
        body = expect_ok(step, make_client(signature_algorithm='v2').query_chatapp_bind_waba(
            cams.QueryChatappBindWabaRequest(cust_space_id=CUST_SPACE_ID)))
        ok(step, f'WABA {body.data.id if body.data else None}')

    # ---- negative checks ----

    step = 'wrong secret -> ClientException SignatureDoesNotMatch'
    try:
        make_client(secret='not-the-secret').query_chatapp_bind_waba(
            cams.QueryChatappBindWabaRequest(cust_space_id=CUST_SPACE_ID))
    except ClientException as e:
        check(e.code == 'SignatureDoesNotMatch', f'{step}: code={e.code!r} message={e.message!r}')
        check(e.status_code == 400, f'{step}: status_code={e.status_code!r}')
        ok(step, f'HTTP {e.status_code}')
    except Exception as e:  # noqa: BLE001 - any other exception type is the failure being tested
        raise Failure(f'{step}: raised {type(e).__name__} instead: {e}') from None
    else:
        raise Failure(f'{step}: the call succeeded')

    step = 'throttle fault -> ThrottlingException'
    install_throttle_fault('QueryChatappBindWaba')
    try:
        client.query_chatapp_bind_waba(cams.QueryChatappBindWabaRequest(cust_space_id=CUST_SPACE_ID))
    except ThrottlingException as e:
        check(isinstance(e.retry_after, int) and e.retry_after > 0, f'{step}: retry_after={e.retry_after!r}')
        ok(step, f'HTTP {e.status_code} code={e.code} retry_after={e.retry_after}')
    except Exception as e:  # noqa: BLE001
        raise Failure(f'{step}: raised {type(e).__name__} instead '
                      f'(ThrottlingException needs an x-acs-retry-after header > 0 on a 4xx/5xx): {e}') from None
    else:
        raise Failure(f'{step}: the call succeeded')

    step = 'fault consumed (times=1)'
    expect_ok(step, client.query_chatapp_bind_waba(cams.QueryChatappBindWabaRequest(cust_space_id=CUST_SPACE_ID)))
    ok(step)

    failures(client)
    business_errors_as_200_opt_in()


def expect_raise(step: str, cls, status: int, code: str, call, message: str | None = None) -> None:
    """`call` must raise exactly `cls` (not a subclass a caller would catch first, nor a
    sibling) with HTTP `status` and `code`, as a production caller sees it."""
    try:
        call()
    except (ThrottlingException, ClientException, ServerException) as e:
        check(type(e) is cls, f'{step}: raised {type(e).__name__} (code={e.code!r}), expected {cls.__name__}')
        check(e.code == code, f'{step}: code={e.code!r} message={e.message!r}, expected {code}')
        check(e.status_code == status, f'{step}: status_code={e.status_code!r}, expected {status}')
        check(isinstance(e.message, str) and e.message, f'{step}: message={e.message!r}')
        if message is not None:
            check(message in e.message, f'{step}: message={e.message!r}, expected it to carry {message!r}')
        ok(step, f'{cls.__name__} HTTP {e.status_code} {e.code}')
    except Exception as e:  # noqa: BLE001 - any other exception type is the failure being tested
        raise Failure(f'{step}: raised {type(e).__name__} instead: {e}') from None
    else:
        raise Failure(f'{step}: the call returned normally (expected {cls.__name__} {code})')


def failures(client: Client) -> None:
    """Every row of alibaba-cams-errors.md, as the unmodified SDK raises it."""
    space = dict(cust_space_id=CUST_SPACE_ID)
    # H1: a business failure is a 400, so the SDK raises ClientException.
    expect_raise('H1 unknown template', ClientException, 400, 'DetailError.TemplateNotExist',
                 lambda: client.get_chatapp_template_detail(cams.GetChatappTemplateDetailRequest(
                     template_name='no_such_template', language='en_US', **space)))
    # H2: a broken Meta rule, relayed with Meta's text.
    expect_raise('H2 two-step verification on', ClientException, 400, 'ERR-FB-001',
                 lambda: client.create_chatapp_migration_initiate(cams.CreateChatappMigrationInitiateRequest(
                     country_code='1', mobile_number='5550100002', **space)),
                 message='Two-step authentication must be disabled for this phone number.')
    expect_raise('H2 test number', ClientException, 400, 'ERR-FB-001',
                 lambda: client.create_chatapp_migration_initiate(cams.CreateChatappMigrationInitiateRequest(
                     country_code='1', mobile_number='5550100005', **space)),
                 message='Test business phone numbers cannot be migrated.')
    # H4: a number the space does not hold.
    expect_raise('H4 number not in the space', ClientException, 400, 'ERR-OPERATION-MAAP-0065',
                 lambda: client.get_phone_number_verification_status(cams.GetPhoneNumberVerificationStatusRequest(
                     phone_number='8613800001234', **space)),
                 message='The phoneCode is not bind to the subscriber.')
    # H5: a real action that is not simulated is a distinct ServerException; the simulated
    # phone-number management actions answer with data.
    expect_raise('H5 DeleteChatappTemplate not simulated', ServerException, 501, 'Wabasim.NotSimulated',
                 lambda: client.delete_chatapp_template(cams.DeleteChatappTemplateRequest(
                     template_code='x', **space)), message='DeleteChatappTemplate')
    phone_settings(client)
    # M1: a space with no WABA bound; a WABA the account does not manage.
    expect_raise('M1 space without a WABA', ClientException, 400, 'ERR-OPERATION-MAAP-0060',
                 lambda: client.query_chatapp_phone_numbers(cams.QueryChatappPhoneNumbersRequest(
                     cust_space_id='cams-nope')))
    expect_raise('M1 foreign WABA', ClientException, 400, 'Unknown.ResourceOwnerId',
                 lambda: client.chatapp_bind_waba(cams.ChatappBindWabaRequest(waba_id='999')))
    # M2: the gateway's type checks (Python does not type the models, so the values go out as given).
    expect_raise('M2 Start=abc', ClientException, 400, 'InvalidParameter',
                 lambda: client.get_chatapp_phone_number_metric(cams.GetChatappPhoneNumberMetricRequest(
                     start='abc', end=1, **space)))
    expect_raise('M2 AllowCategoryChange=yes', ClientException, 400, 'InvalidParameter',
                 lambda: client.create_chatapp_template(cams.CreateChatappTemplateRequest(
                     template_type='WHATSAPP', name='m2', language='en_US', category='UTILITY',
                     components=[cams.CreateChatappTemplateRequestComponents(type='BODY', text='x')],
                     allow_category_change='yes', **space)))
    # M3: System.LimitControl is a plain 400: ClientException on this SDK.
    admin('POST', '/__admin/faults', {'match': {'facade': 'cams', 'operation': 'QueryChatappBindWaba'},
                                      'error': 'rate_limited', 'times': 1})
    expect_raise('M3 System.LimitControl', ClientException, 400, 'System.LimitControl',
                 lambda: client.query_chatapp_bind_waba(cams.QueryChatappBindWabaRequest(**space)))
    two_flows()
    # L5: a parameter too long is refused without echoing it.
    expect_raise('L5 PhoneNumber of 20,000 digits', ClientException, 400, 'InvalidParameter',
                 lambda: client.get_phone_number_verification_status(cams.GetPhoneNumberVerificationStatusRequest(
                     phone_number='1' * 20_000, **space)))
    # L8: GetChatappTemplateDetail with neither TemplateCode nor TemplateName.
    expect_raise('L8 neither TemplateCode nor TemplateName', ClientException, 400,
                 'InvalidParameter.TemplateCodeNotEmpty',
                 lambda: client.get_chatapp_template_detail(cams.GetChatappTemplateDetailRequest(
                     language='en_US', **space)))
    # L9: an unknown AccessKeyId, in the newer gateway text.
    expect_raise('L9 unknown access key', ClientException, 404, 'InvalidAccessKeyId.NotFound',
                 lambda: make_client(access_key_id='nobody-ak').query_chatapp_bind_waba(
                     cams.QueryChatappBindWabaRequest(**space)),
                 message='Specified access key is not found or invalid.')
    # L4: RequestIds are unique across a namespace reset.
    first = client.query_chatapp_bind_waba(cams.QueryChatappBindWabaRequest(**space)).body.request_id
    admin('POST', '/__admin/reset')
    again = client.query_chatapp_bind_waba(cams.QueryChatappBindWabaRequest(**space)).body.request_id
    check(first != again, f'L4: the same RequestId {first} after a reset')
    ok('L4 RequestId unique across a reset', f'{first} != {again}')


def two_flows() -> None:
    """H3 and M4 in a fresh world: a number being migrated in, not yet verified."""
    namespace = f'{NAMESPACE}-flows'
    admin('POST', '/__admin/namespaces', {'name': namespace})
    client = make_client(namespace=namespace)
    number = dict(cust_space_id=CUST_SPACE_ID, phone_number=PHONE_NUMBER)
    expect_ok('flows: CreateChatappMigrationInitiate', client.create_chatapp_migration_initiate(
        cams.CreateChatappMigrationInitiateRequest(
            cust_space_id=CUST_SPACE_ID, country_code=COUNTRY_CODE, mobile_number=MOBILE_NUMBER)))
    # H3: registration before verification is Meta's 133006, relayed.
    expect_raise('H3 register before verify', ClientException, 400, 'ERR-FB-001',
                 lambda: client.chatapp_migration_register(cams.ChatappMigrationRegisterRequest(**number)),
                 message='(#133006)')
    # M4: the embedded-signup operations refuse a number being migrated, naming the right one.
    expect_raise('M4 ChatappPhoneNumberRegister on a migrating number', ClientException, 400,
                 'InvalidParameter.PhoneNumberError',
                 lambda: client.chatapp_phone_number_register(cams.ChatappPhoneNumberRegisterRequest(**number)),
                 message='ChatappMigrationRegister')
    expect_raise('M4 ChatappVerifyAndRegister on a migrating number', ClientException, 400,
                 'InvalidParameter.PhoneNumberError',
                 lambda: client.chatapp_verify_and_register(cams.ChatappVerifyAndRegisterRequest(
                     verify_code='123456', **number)),
                 message='ChatappMigrationVerified')


def phone_settings(client: Client) -> None:
    """H5: the phone-number management actions the flows touch, on the same world."""
    number = dict(cust_space_id=CUST_SPACE_ID, phone_number=PHONE_NUMBER)
    step = 'UpdateAccountWebhook'
    expect_ok(step, client.update_account_webhook(cams.UpdateAccountWebhookRequest(
        cust_space_id=CUST_SPACE_ID, http_flag='Y', status_callback_url='https://hooks.example/status')))
    ok(step)
    step = 'UpdatePhoneWebhook'
    expect_ok(step, client.update_phone_webhook(cams.UpdatePhoneWebhookRequest(
        http_flag='Y', up_callback_url='https://hooks.example/up', **number)))
    body = expect_ok('QueryChatappPhoneNumbers (webhooks)', client.query_chatapp_phone_numbers(
        cams.QueryChatappPhoneNumbersRequest(cust_space_id=CUST_SPACE_ID)))
    mine = [n for n in body.phone_numbers if n.phone_number == PHONE_NUMBER][0]
    check((mine.status_callback_url, mine.up_callback_url) ==
          ('https://hooks.example/status', 'https://hooks.example/up'),
          f'{step}: {mine.status_callback_url!r} {mine.up_callback_url!r}')
    ok(step, 'read back through QueryChatappPhoneNumbers')
    step = 'ModifyPhoneBusinessProfile'
    body = expect_ok(step, client.modify_phone_business_profile(cams.ModifyPhoneBusinessProfileRequest(
        about='We ship', email='help@acme.example', vertical='RETAIL',
        websites=['https://acme.example'], **number)))
    check(body.success is True, f'{step}: Success={body.success!r}')
    ok(step)
    step = 'QueryPhoneBusinessProfile'
    body = expect_ok(step, client.query_phone_business_profile(cams.QueryPhoneBusinessProfileRequest(**number)))
    check(body.data is not None, f'{step}: Data missing')
    got = (body.data.about, body.data.email, body.data.vertical, body.data.websites)
    check(got == ('We ship', 'help@acme.example', 'RETAIL', ['https://acme.example']), f'{step}: {got}')
    ok(step, repr(got))


def business_errors_as_200_opt_in() -> None:
    """H1: with the opt-in `cams.business_error_status: 200` the SDK returns normally."""
    namespace = f'{NAMESPACE}-200'
    default = pathlib.Path(__file__).resolve().parents[2] / 'fixtures' / 'default.yaml'
    text = default.read_text(encoding='utf-8')
    check('\ncams:\n' in text, f'{default} has no top-level cams: section')
    text = text.replace('\ncams:\n', '\ncams:\n  business_error_status: 200\n', 1)
    admin('POST', '/__admin/namespaces', {'name': namespace, 'fixture': text})
    client = make_client(namespace=namespace)

    step = '200 opt-in: unknown template returns normally'
    body = body_of(step, client.get_chatapp_template_detail(cams.GetChatappTemplateDetailRequest(
        cust_space_id=CUST_SPACE_ID, template_name='no_such_template', language='en_US')))
    check(body.code == 'DetailError.TemplateNotExist', f'{step}: Code={body.code!r}')
    check(body.success is False, f'{step}: Success={body.success!r}')
    ok(step, body.code)


def registration(client: Client) -> None:
    """§7.2: a number that is not migrated, from AddChatappPhoneNumber to a re-registration."""
    number = dict(cust_space_id=CUST_SPACE_ID, phone_number=NEW_NUMBER)

    step = 'ChatappBindWaba'
    body = expect_ok(step, client.chatapp_bind_waba(cams.ChatappBindWabaRequest(waba_id=ALIBABA_WABA)))
    check(body.success is True, f'{step}: Success={body.success!r}')
    check(body.data is not None, f'{step}: Data missing')
    expect_types(step, body.data, cust_space_id=str, waba_id=str)
    check(body.data.cust_space_id == CUST_SPACE_ID, f'{step}: CustSpaceId={body.data.cust_space_id!r}')
    ok(step, f'{body.data.waba_id} -> {body.data.cust_space_id}')

    step = 'AddChatappPhoneNumber'
    body = expect_ok(step, client.add_chatapp_phone_number(cams.AddChatappPhoneNumberRequest(
        cust_space_id=CUST_SPACE_ID, cc=NEW_CC, phone_number=NEW_NATIONAL, verified_name='Acme Promo')))
    check(body.success is True, f'{step}: Success={body.success!r}')
    ok(step, NEW_NUMBER)

    step = 'ChatappSyncPhoneNumber'
    body = expect_ok(step, client.chatapp_sync_phone_number(cams.ChatappSyncPhoneNumberRequest(
        cust_space_id=CUST_SPACE_ID)))
    listed = {n.phone_number: n for n in body.phone_numbers}
    check(NEW_NUMBER in listed, f'{step}: {NEW_NUMBER} not listed: {sorted(listed)}')
    check(listed[NEW_NUMBER].status == 'PENDING', f'{step}: Status={listed[NEW_NUMBER].status!r}')
    ok(step, f'{len(listed)} numbers')

    step = 'GetChatappVerifyCode'
    body = expect_ok(step, client.get_chatapp_verify_code(cams.GetChatappVerifyCodeRequest(
        locale='en_US', method='sms', **number)))
    check(body.success is True, f'{step}: Success={body.success!r}')
    code = latest_code(NEW_NUMBER)
    ok(step, f'code {code}')

    step = 'ChatappVerifyAndRegister'
    body = expect_ok(step, client.chatapp_verify_and_register(cams.ChatappVerifyAndRegisterRequest(
        verify_code=code, **number)))
    check(body.success is True, f'{step}: Success={body.success!r}')
    ok(step)

    step = 'ChatappPhoneNumberDeregister'
    expect_ok(step, client.chatapp_phone_number_deregister(
        cams.ChatappPhoneNumberDeregisterRequest(**number)))
    ok(step)

    step = 'ChatappPhoneNumberRegister'
    body = expect_ok(step, client.chatapp_phone_number_register(
        cams.ChatappPhoneNumberRegisterRequest(**number)))
    check(body.success is True, f'{step}: Success={body.success!r}')
    ok(step)

    step = 'QueryChatappPhoneNumbers (Status filter)'
    body = expect_ok(step, client.query_chatapp_phone_numbers(cams.QueryChatappPhoneNumbersRequest(
        cust_space_id=CUST_SPACE_ID, status='CONNECTED')))
    got = sorted(n.phone_number for n in body.phone_numbers)
    check(got == sorted([PHONE_NUMBER, NEW_NUMBER]), f'{step}: {got}')
    ok(step, ', '.join(got))


def templates(client: Client) -> None:
    """§7.4: create a template with the SDK's JSON-shrunk Components and read it back."""
    step = 'CreateChatappTemplate'
    component = cams.CreateChatappTemplateRequestComponents(type='BODY', text='Olá {{1}}, your order shipped')
    body = expect_ok(step, client.create_chatapp_template(cams.CreateChatappTemplateRequest(
        cust_space_id=CUST_SPACE_ID, template_type='WHATSAPP', name='order_shipped', language='pt_BR',
        category='UTILITY', allow_category_change=True, components=[component],
        example={'$(name)': 'Zé'})))
    check(body.success is True, f'{step}: Success={body.success!r}')
    check(body.data is not None, f'{step}: Data missing')
    expect_types(step, body.data, template_code=str, template_name=str)
    code = body.data.template_code
    ok(step, f'{body.data.template_name} {code}')

    step = 'GetChatappTemplateDetail (new template)'
    body = expect_ok(step, client.get_chatapp_template_detail(cams.GetChatappTemplateDetailRequest(
        cust_space_id=CUST_SPACE_ID, template_code=code, language='pt_BR')))
    check(body.data is not None, f'{step}: Data missing')
    check(body.data.audit_status == 'auditing', f'{step}: AuditStatus={body.data.audit_status!r}')
    check([c.text for c in body.data.components] == ['Olá {{1}}, your order shipped'],
          f'{step}: Components={[c.to_map() for c in body.data.components]}')
    expect_types(step, body.data, allow_send=bool, category_change_paused=bool)
    ok(step, body.data.audit_status)

    step = 'CreateChatappTemplate (ChatApp-only inputs)'
    buttons = cams.CreateChatappTemplateRequestComponents(type='BUTTONS', buttons=[
        cams.CreateChatappTemplateRequestComponentsButtons(type='QUICK_REPLY', text='Stop promotions', is_opt_out=True),
        cams.CreateChatappTemplateRequestComponentsButtons(
            type='URL', text='Shop', url='https://shop.example/{{1}}', url_type='dynamic'),
    ])
    body = expect_ok(step, client.create_chatapp_template(cams.CreateChatappTemplateRequest(
        cust_space_id=CUST_SPACE_ID, template_type='WHATSAPP', name='spring_sale', language='en_US',
        category='MARKETING', category_change_paused=True, message_send_ttl_seconds=600,
        components=[cams.CreateChatappTemplateRequestComponents(type='BODY', text='Sale {{1}}'), buttons],
        example={'1': '20%'})))
    sale = body.data.template_code
    ok(step, sale)

    step = 'GetChatappTemplateDetail (inputs read back)'
    body = expect_ok(step, client.get_chatapp_template_detail(cams.GetChatappTemplateDetailRequest(
        cust_space_id=CUST_SPACE_ID, template_code=sale, language='en_US')))
    data = body.data
    expect_types(step, data, category_change_paused=bool, message_send_ttl_seconds=int, example=dict)
    check(data.category_change_paused is True, f'{step}: CategoryChangePaused={data.category_change_paused!r}')
    check(data.message_send_ttl_seconds == 600, f'{step}: MessageSendTtlSeconds={data.message_send_ttl_seconds!r}')
    check(data.example == {'1': '20%'}, f'{step}: Example={data.example!r}')
    got = [(b.type, b.is_opt_out, b.url_type) for b in data.components[1].buttons]
    check(got == [('QUICK_REPLY', True, None), ('URL', None, 'dynamic')], f'{step}: buttons {got}')
    ok(step)

    step = 'ListChatappTemplate (AuditStatus filter)'
    body = expect_ok(step, client.list_chatapp_template(cams.ListChatappTemplateRequest(
        cust_space_id=CUST_SPACE_ID, audit_status='auditing', page=cams.ListChatappTemplateRequestPage(index=1, size=5))))
    check(sorted(t.template_code for t in body.list_template) == sorted([code, sale]), f'{step}: {body.to_map()}')
    check(body.total == 2, f'{step}: Total={body.total!r}')
    ok(step)


def metrics(client: Client) -> None:
    step = 'GetChatappPhoneNumberMetric'
    start = 1767225600000  # 2026-01-01T00:00:00Z
    body = expect_ok(step, client.get_chatapp_phone_number_metric(cams.GetChatappPhoneNumberMetricRequest(
        cust_space_id=CUST_SPACE_ID, phone_number=PHONE_NUMBER, granularity='DAILY',
        start=start, end=start + 2 * 86_400_000)))
    check(isinstance(body.data, list) and len(body.data) == 2, f'{step}: Data={body.data!r}')
    for m in body.data:
        expect_types(step, m, phone_number=str, sent_count=int, delivered_count=int, start=int, end=int,
                     granularity=str)
    ok(step, f'{len(body.data)} daily buckets')


def messaging(client: Client) -> None:
    """SendChatappMessage as an integrator calls it: a template by name with its TemplateParams
    (a dict the SDK shrinks to JSON), then a text once the user has written in; the charge is
    the space's WABA's."""
    to = '16505550100'
    step = 'SendChatappMessage (template)'
    body = expect_ok(step, client.send_chatapp_message(cams.SendChatappMessageRequest(
        cust_space_id=CUST_SPACE_ID, channel_type='whatsapp', type='template', from_=PHONE_NUMBER,
        to=to, template_name='order_update', language='en_US', template_params={'1': 'Al'},
        task_id='sdk-task-1')))
    expect_types(step, body, message_id=str)
    check(len(body.message_id) == 24, f'{step}: MessageId={body.message_id!r}')
    ok(step, body.message_id)

    expect_raise('SendChatappMessage (template without its parameter)', ClientException, 400, 'ERR-FB-001',
                 lambda: client.send_chatapp_message(cams.SendChatappMessageRequest(
                     cust_space_id=CUST_SPACE_ID, channel_type='whatsapp', type='template',
                     from_=PHONE_NUMBER, to=to, template_name='order_update', language='en_US')),
                 message='(#132000)')

    numbers = admin('GET', '/__admin/state')['facades']['cams']['spaces'][0]['numbers']
    phone_id = next(n['phone_number_id'] for n in numbers if n['phone_number'] == PHONE_NUMBER)
    admin('POST', '/__admin/inbound', {'phone_number_id': phone_id, 'from': to, 'text': 'hi'})
    step = 'SendChatappMessage (text)'
    body = expect_ok(step, client.send_chatapp_message(cams.SendChatappMessageRequest(
        cust_space_id=CUST_SPACE_ID, channel_type='whatsapp', type='message', message_type='text',
        from_=PHONE_NUMBER, to=to, content=json.dumps({'text': 'Hello from the SDK'}))))
    expect_types(step, body, message_id=str)
    ok(step, body.message_id)

    expect_raise('SendChatappMessage (image without link)', ClientException, 400, 'InvalidParameter.LinkNotEmpty',
                 lambda: client.send_chatapp_message(cams.SendChatappMessageRequest(
                     cust_space_id=CUST_SPACE_ID, channel_type='whatsapp', type='message',
                     message_type='image', from_=PHONE_NUMBER, to=to, content='{"caption":"x"}')))

    step = 'billing (both sends delivered, on the space\'s WABA)'
    admin('POST', '/__admin/clock/advance', {'duration': '1m'})
    charges = [c for c in admin('GET', '/__admin/billing')['charges'] if c['waba_id'] == ALIBABA_WABA]
    check(len(charges) == 2, f'{step}: {charges!r}')
    check(sorted(c['pricing_category'] for c in charges) == ['service', 'utility'], f'{step}: {charges!r}')
    ok(step, f'{len(charges)} charges')


def mass_messaging(client: Client) -> None:
    """SendChatappMassMessage as an integrator calls it: SenderList as the SDK's models (it
    shrinks the list to JSON text); one GroupMessageId back, each recipient's outcome as a
    receipt carrying the TaskId, a recipient Meta refuses (no parameter: 132000) included."""
    def sender(to: str, **params: str) -> cams.SendChatappMassMessageRequestSenderList:
        return cams.SendChatappMassMessageRequestSenderList(to=to, template_params=params or None)

    def request(senders, template_name='order_update', task_id='sdk-mass-1'):
        return cams.SendChatappMassMessageRequest(
            cust_space_id=CUST_SPACE_ID, channel_type='whatsapp', from_=PHONE_NUMBER,
            template_name=template_name, language='en_US', task_id=task_id, sender_list=senders)

    step = 'SendChatappMassMessage'
    body = expect_ok(step, client.send_chatapp_mass_message(request(
        [sender('16505550200', **{'1': 'Al'}), sender('16505550201', **{'1': 'Bea'}), sender('16505550202')])))
    expect_types(step, body, group_message_id=str)
    check(len(body.group_message_id) == 16 and body.group_message_id.isdigit(),
          f'{step}: GroupMessageId={body.group_message_id!r}')
    ok(step, body.group_message_id)

    step = 'SendChatappMassMessage receipts (ChatAppStatus, with the TaskId)'
    deliveries = admin('GET', '/__admin/webhooks?field=ChatAppStatus')['deliveries']
    reports = [r for d in deliveries for r in d['payload'] if r.get('TaskId') == 'sdk-mass-1']
    got = sorted((r['To'], r['Status'], r.get('ErrorCode')) for r in reports)
    check(got == [('16505550200', 'Sent', None), ('16505550201', 'Sent', None),
                  ('16505550202', 'Failed', '132000')], f'{step}: {got!r}')
    ok(step, f'{len(reports)} receipts')

    expect_raise('SendChatappMassMessage (unknown template: the whole request)', ClientException, 400,
                 'ERR-FB-001', lambda: client.send_chatapp_mass_message(request(
                     [sender('16505550200', **{'1': 'Al'})], template_name='no_such')),
                 message='(#132001)')
    expect_raise('SendChatappMassMessage (1,001 recipients)', ClientException, 400, 'InvalidParameter',
                 lambda: client.send_chatapp_mass_message(request([sender('16505550200')] * 1001)))


def main() -> int:
    try:
        run()
    except Failure as e:
        print(f'FAIL {e}', file=sys.stderr, flush=True)
        return 1
    except Exception as e:  # noqa: BLE001 - an unexpected SDK exception is a failed check too
        print(f'FAIL unexpected {type(e).__name__}: {e}', file=sys.stderr, flush=True)
        return 1
    print('PASS cams SDK flow', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
