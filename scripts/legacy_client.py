#!/usr/bin/env python3
"""A minimal legacy WSRM consumer: CreateSequence, every Get… of the inventory, TerminateSequence.

It speaks plain SOAP 1.1 over HTTP with the standard library only, the way an old consumer
system polls its queue, and prints what it received. Used by scripts/demo.

    scripts/legacy_client.py --url http://127.0.0.1:8080 --org 8/44000
"""
import argparse
import http.client
import sys
import urllib.parse
import xml.etree.ElementTree as ET

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
AOH = "http://rep.oio.dk/ams.dk/xml/schemas/2005/09/01/"
OASIS = "http://docs.oasis-open.org/ws-rx/wsrm/200602"
WSRM3 = "http://service.bm.dk/pjaktass/wsrm/3/"
V11 = "http://service.bm.dk/pjaktass/wsrm/11/"
FAULT = "http://service.bm.dk/pjaktass/wsrm/fault/"
ACTION3 = WSRM3 + "IWsrmService/"
ACTION11 = V11 + "IWsrmMessageService/"


def envelope(org_type, org_code, body, sequence=None):
    seq = ""
    if sequence:
        seq = f'<SequenceRequest xmlns="{OASIS}"><Identifier>{sequence}</Identifier></SequenceRequest>'
    return (f'<s:Envelope xmlns:s="{SOAP}"><s:Header>'
            f'<ActiveOrganisationHeader xmlns="{AOH}"><OrganisationTypeIdentifier>{org_type}'
            f'</OrganisationTypeIdentifier><OrganisationCode>{org_code}</OrganisationCode>'
            f'</ActiveOrganisationHeader>{seq}</s:Header><s:Body>{body}</s:Body></s:Envelope>')


class Client:
    def __init__(self, url, org):
        u = urllib.parse.urlparse(url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=30)
        self.org_type, self.org_code = org.split("/", 1)

    def call(self, path, action, body, sequence=None):
        data = envelope(self.org_type, self.org_code, body, sequence).encode()
        self.conn.request("POST", path, data, {"Content-Type": "text/xml; charset=utf-8",
                                                "SOAPAction": f'"{action}"'})
        resp = self.conn.getresponse()
        root = ET.fromstring(resp.read())
        body_el = root.find(f"{{{SOAP}}}Body")
        fault = body_el.find(f"{{{SOAP}}}Fault")
        if fault is not None:
            code = fault.findtext(f".//{{{FAULT}}}Code")
            raise RuntimeError(f"fault {code}: {fault.findtext('faultstring')}")
        return body_el[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True, help="base URL of the bridge's SOAP port")
    ap.add_argument("--org", required=True, help="acting organisation as TYPE/CODE, e.g. 8/44000")
    args = ap.parse_args()
    c = Client(args.url, args.org)
    resp = c.call("/WsrmService.svc", ACTION3 + "CreateSequence",
                  f'<CreateSequence xmlns="{WSRM3}"/>')
    seq = resp.findtext(f"{{{OASIS}}}Identifier")
    items = resp.findall(f".//{{{OASIS}}}ServiceItem")
    print(f"  CreateSequence -> {seq}")
    for it in items:
        op = it.findtext(f"{{{OASIS}}}ServiceName")
        count = it.findtext(f"{{{OASIS}}}MessageCount")
        got = c.call("/11/WsrmMessageService.svc", ACTION11 + op,
                     f'<{op}Request xmlns="{V11}"/>', sequence=seq)
        print(f"  {op}: inventory says {count}, received {len(got)} item(s)")
        for item in got:
            mid = item.findtext(f".//{{{V11}}}MessageIdentifier")
            ind = item.findtext(f"{{{V11}}}IndkaldelseIdentifier")
            print(f"    - MessageIdentifier {mid}  IndkaldelseIdentifier {ind}")
    c.call("/WsrmService.svc", ACTION3 + "TerminateSequence",
           f'<TerminateSequence xmlns="{WSRM3}"><Identifier xmlns="{OASIS}">{seq}</Identifier>'
           f'</TerminateSequence>')
    print(f"  TerminateSequence {seq}: delivered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
