#!/usr/bin/env python3
"""Old-generation SDK check: alibabacloud-cams20200606==1.4.0 sends some operations as a form body.

Run it with a Python that has 1.4.0 installed (not 5.x). It only proves that the facade accepts
the old signer's form-body requests (reference alibaba-cams.md §3.3, vector C) and reads their
parameters, including JSON with reserved and non-ASCII characters; the full flow is cams_sdk_flow.py. Exits non-zero on the first failed check.

Environment: WABASIM_URL (default http://127.0.0.1:8787), WABASIM_NAMESPACE (default: fresh).
"""
from __future__ import annotations

import os
import sys
import urllib.parse
import uuid

from alibabacloud_cams20200606 import models as cams
from alibabacloud_cams20200606.client import Client
from alibabacloud_tea_openapi import models as open_api_models  # 1.x location of Config

BASE_URL = os.environ.get('WABASIM_URL', 'http://127.0.0.1:8787').rstrip('/')
NAMESPACE = os.environ.get('WABASIM_NAMESPACE') or f'cams-legacy-{uuid.uuid4().hex[:12]}'


def main() -> int:
    import alibabacloud_cams20200606 as pkg
    version = getattr(pkg, '__version__', '?')
    print(f'cams legacy SDK probe (SDK {version}) against {BASE_URL}, namespace {NAMESPACE}', flush=True)
    config = open_api_models.Config(
        access_key_id='wabasim-ak', access_key_secret='wabasim-secret',
        endpoint=urllib.parse.urlsplit(BASE_URL).netloc, protocol='http', region_id='ap-southeast-1')
    config.global_parameters = open_api_models.GlobalParameters(headers={'x-wabasim-namespace': NAMESPACE})
    client = Client(config)
    space = 'cams-acme'
    number = '15550100001'

    def fail(step: str, detail: str) -> int:
        print(f'FAIL {step}: {detail}', file=sys.stderr, flush=True)
        return 1

    try:
        step = 'CreateChatappMigrationInitiate (query)'
        r = client.create_chatapp_migration_initiate(cams.CreateChatappMigrationInitiateRequest(
            cust_space_id=space, country_code='1', mobile_number='5550100001'))
        if r.body is None or r.body.code != 'OK' or r.body.data is None or r.body.data.status != 'MIGRATING':
            return fail(step, repr(r.to_map()))
        print(f'ok   {step}: Id={r.body.data.id}', flush=True)

        # A form body in 1.4.0: the signature covers its SHA-256 and its content-type, and the
        # facade must read the parameters from it.
        step = 'GetPhoneNumberVerificationStatus (form body)'
        r = client.get_phone_number_verification_status(cams.GetPhoneNumberVerificationStatusRequest(
            cust_space_id=space, phone_number=number))
        if r.body is None or r.body.code != 'OK' or r.body.data is None:
            return fail(step, f'were the form-body parameters read? {r.to_map()!r}')
        if r.body.data.code_verification_status != 'NOT_VERIFIED':
            return fail(step, f'CodeVerificationStatus={r.body.data.code_verification_status!r}')
        print(f'ok   {step}: {r.body.data.code_verification_status}', flush=True)

        step = 'CreateChatappTemplate (form body, JSON Components)'
        component = cams.CreateChatappTemplateRequestComponents(type='BODY', text='Olá {{1}} ~*+/ & = % 漢字')
        r = client.create_chatapp_template(cams.CreateChatappTemplateRequest(
            cust_space_id=space, template_type='WHATSAPP', name='legacy_form', language='pt_BR',
            category='UTILITY', components=[component]))
        if r.body is None or r.body.code != 'OK' or r.body.data is None or not r.body.data.template_code:
            return fail(step, repr(r.to_map()))
        code = r.body.data.template_code
        r = client.get_chatapp_template_detail(cams.GetChatappTemplateDetailRequest(
            cust_space_id=space, template_code=code, language='pt_BR'))
        texts = [c.text for c in r.body.data.components] if r.body and r.body.data else None
        if texts != ['Olá {{1}} ~*+/ & = % 漢字']:
            return fail(step, f'the component text did not survive the form body: {texts!r}')
        print(f'ok   {step}: {code}', flush=True)

        step = 'QueryChatappBindWaba (query)'
        r = client.query_chatapp_bind_waba(cams.QueryChatappBindWabaRequest(cust_space_id=space))
        if r.body is None or r.body.code != 'OK':
            return fail(step, repr(r.to_map()))
        print(f'ok   {step}: WABA {r.body.data.id if r.body.data else None}', flush=True)
    except Exception as e:  # noqa: BLE001 - TeaException or ClientException depending on tea-openapi
        return fail(step, f'{type(e).__name__}: {getattr(e, "code", "")} {e}')
    print('PASS cams legacy SDK probe', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
