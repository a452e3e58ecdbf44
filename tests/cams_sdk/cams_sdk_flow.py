#!/usr/bin/env python3
"""SDK compatibility test: drives wabasim's cams facade with the unmodified official Python SDK.

Runs the documented migration flow (reference alibaba-cams.md §7.1), the follow-up reads, the
registration of a number that is not migrated (§7.2) and the template operations (§7.4), then
checks that a wrong secret and a throttled call raise the SDK's own exceptions, and that with
the fixture setting `cams.business_error_status: 400` a business failure raises
`ClientException` carrying the business `Code` (§6.5). Every response is
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
from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException

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
                namespace: str | None = None) -> Client:
    endpoint = urllib.parse.urlsplit(BASE_URL).netloc
    config = open_api_models.Config(
        access_key_id=ACCESS_KEY_ID,
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
    ok(step, f'Data.Id={body.data.id}')

    step = 'admin codes'
    code = latest_code(PHONE_NUMBER)
    ok(step, f'code {code}')

    step = 'ChatappMigrationVerified with a wrong code (business failure, no exception)'
    wrong = '000000' if code != '000000' else '111111'
    body = body_of(step, client.chatapp_migration_verified(cams.ChatappMigrationVerifiedRequest(
        cust_space_id=CUST_SPACE_ID, phone_number=PHONE_NUMBER, verify_code=wrong)))
    check(body.code not in (None, 'OK'), f'{step}: Code={body.code!r}')
    check(isinstance(body.message, str) and body.message, f'{step}: Message={body.message!r}')
    ok(step, body.code)

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

    business_errors_as_400()


def expect_client_exception(step: str, code: str, call) -> None:
    """`call` must raise ClientException with HTTP 400 and the business `code`."""
    try:
        call()
    except ClientException as e:
        check(e.code == code, f'{step}: code={e.code!r} message={e.message!r}, expected {code}')
        check(e.status_code == 400, f'{step}: status_code={e.status_code!r}')
        check(isinstance(e.message, str) and e.message, f'{step}: message={e.message!r}')
        ok(step, f'HTTP {e.status_code} {e.code}')
    except Exception as e:  # noqa: BLE001 - any other exception type is the failure being tested
        raise Failure(f'{step}: raised {type(e).__name__} instead: {e}') from None
    else:
        raise Failure(f'{step}: the call returned normally (expected ClientException {code})')


def business_errors_as_400() -> None:
    """§6.5: with `cams.business_error_status: 400` the SDK raises on business failures."""
    namespace = f'{NAMESPACE}-400'
    default = pathlib.Path(__file__).resolve().parents[2] / 'fixtures' / 'default.yaml'
    text = default.read_text(encoding='utf-8')
    check('\ncams:\n' in text, f'{default} has no top-level cams: section')
    text = text.replace('\ncams:\n', '\ncams:\n  business_error_status: 400\n', 1)
    admin('POST', '/__admin/namespaces', {'name': namespace, 'fixture': text})
    client = make_client(namespace=namespace)

    expect_ok('400 namespace: CreateChatappMigrationInitiate', client.create_chatapp_migration_initiate(
        cams.CreateChatappMigrationInitiateRequest(
            cust_space_id=CUST_SPACE_ID, country_code=COUNTRY_CODE, mobile_number=MOBILE_NUMBER)))
    expect_ok('400 namespace: GetMigrationVerifyCode', client.get_migration_verify_code(
        cams.GetMigrationVerifyCodeRequest(
            cust_space_id=CUST_SPACE_ID, phone_number=PHONE_NUMBER, method='SMS', locale='en_US')))
    expect_client_exception(
        'business_error_status 400: wrong code -> ClientException', 'VerifyCodeError.CodeMismatch',
        lambda: client.chatapp_migration_verified(cams.ChatappMigrationVerifiedRequest(
            cust_space_id=CUST_SPACE_ID, phone_number=PHONE_NUMBER, verify_code='999999x')))
    expect_client_exception(
        'business_error_status 400: unknown template -> ClientException', 'DetailError.TemplateNotExist',
        lambda: client.get_chatapp_template_detail(cams.GetChatappTemplateDetailRequest(
            cust_space_id=CUST_SPACE_ID, template_name='no_such_template', language='en_US')))


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
