#!/usr/bin/env bash
# Checks the served contract as data: every fixture in tests/fixtures/contract validates (or, when
# its comment says INVALID, fails to validate) against the schema its comment names, every XSD
# compiles, and the sample items in docs/examples/items validate inside their response element.
# Usage: check_contract.sh <source dir>
set -uo pipefail
src=${1:?source dir}
fail=0; passed=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

for f in "$src"/tests/fixtures/contract/*.xml; do
  line=$(grep -o 'Schema: wsdl/xsd/[A-Za-z0-9._-]*\.xsd (expected: [A-Za-z]*)' "$f" | head -1)
  if [ -z "$line" ]; then echo "FAIL $f: no 'Schema: … (expected: …)' comment"; fail=$((fail+1)); continue; fi
  xsd=$(echo "$line" | sed -E 's/Schema: (\S+) .*/\1/')
  expected=$(echo "$line" | sed -E 's/.*expected: ([A-Za-z]+)\)/\1/')
  if xmllint --noout --schema "$src/$xsd" "$f" >"$tmp/out" 2>&1; then got=valid; else got=INVALID; fi
  if [ "${got,,}" = "${expected,,}" ]; then passed=$((passed+1)); else
    echo "FAIL $f: expected $expected against $xsd, got $got"; cat "$tmp/out"; fail=$((fail+1)); fi
done

# Sample items: wrap each in its response element, fill the placeholders, validate.
v11=http://service.bm.dk/pjaktass/wsrm/11/
check_item() {  # item file, response element, item element
  sed -e 's/\${MessageIdentifier}/0b7e4d2a-3c5f-5a6b-8c9d-1e2f3a4b5c6d/g' -e 's/\${N}/1/g' \
      -e 's/\${QueuedAt}/2024-04-23T10:47:19.000Z/g' "$1" > "$tmp/item"
  { printf '<%s xmlns="%s"><%s>' "$2" "$v11" "$3"; cat "$tmp/item"; printf '</%s></%s>\n' "$3" "$2"; } > "$tmp/doc.xml"
  if xmllint --noout --schema "$src/wsdl/xsd/WsrmMessageService-v11.xsd" "$tmp/doc.xml" >"$tmp/out" 2>&1; then
    passed=$((passed+1)); else echo "FAIL $1 inside $2"; cat "$tmp/out"; fail=$((fail+1)); fi
}
check_item "$src/docs/examples/items/indkaldelse_registration.xml" GetIndkaldelseVersion1Response IndkaldelseRegistration
check_item "$src/docs/examples/items/indkaldelse_registration.xml" GetAkasseIndkaldelseVersion1Response AkasseIndkaldelseRegistration
check_item "$src/docs/examples/items/indkaldelseshaendelse_registration.xml" GetIndkaldelseshaendelseVersion1Response IndkaldelseshaendelseRegistration

# Every WSDL is well-formed XML.
for w in "$src"/wsdl/*.wsdl; do
  if xmllint --noout "$w" 2>"$tmp/out"; then passed=$((passed+1)); else echo "FAIL $w"; cat "$tmp/out"; fail=$((fail+1)); fi
done
echo "$passed passed, $fail failed"
[ "$fail" -eq 0 ]
