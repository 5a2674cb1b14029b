#!/usr/bin/env python3
"""Re-verify the audit chain in a DisclosureDesk JSON export, offline: python3 verify-export.py CASE.json

Exit code 0 when everything the export lets you check holds, 1 otherwise. See docs/export-format.md.
"""
import hashlib
import json
import sys

# System.Text.Json's default encoder writes these as \uXXXX (upper-case hex), as it does control characters
# and every UTF-16 unit outside ASCII; backslash and five control characters get the short escapes.
HTML_SENSITIVE = set('"<>&\'+`')
SHORT_ESCAPES = {'\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t'}


def dotnet_string(s):
    out = ['"']
    data = s.encode('utf-16-le')
    for i in range(0, len(data), 2):
        code = data[i] | (data[i + 1] << 8)
        ch = chr(code) if code < 0xD800 or code > 0xDFFF else None
        if ch is not None and ch in SHORT_ESCAPES:
            out.append(SHORT_ESCAPES[ch])
        elif code < 0x20 or code >= 0x7F or (ch is not None and ch in HTML_SENSITIVE):
            out.append('\\u%04X' % code)
        else:
            out.append(ch)
    out.append('"')
    return ''.join(out)


def canonical(value):
    if value is None:
        return 'null'
    if isinstance(value, int):
        return str(value)
    return dotnet_string(value)


def event_hash(reference, e):
    fields = [1, reference, e['sequence'], e['occurredAt'], e['actorId'], e['actorName'],
              e['type'], e['visibility'], e['text'], e['changes'], e['previousHash']]
    return hashlib.sha256(('[' + ','.join(canonical(f) for f in fields) + ']').encode('ascii')).hexdigest()


def main(path):
    with open(path, encoding='utf-8') as f:
        export = json.load(f)
    reference = export['case']['reference']
    chain = export['chain']
    problems, checked, previous = [], 0, None
    for e in export['events']:
        if previous is None and e['sequence'] == 1 and e['previousHash'] != chain['genesisHash']:
            problems.append('event #1 does not start at the genesis hash')
        if previous is not None and e['sequence'] == previous['sequence'] + 1 and e['previousHash'] != previous['hash']:
            problems.append(f"event #{e['sequence']} does not link to event #{previous['sequence']}")
        if not e['redacted']:
            checked += 1
            if event_hash(reference, e) != e['hash']:
                problems.append(f"event #{e['sequence']} does not match its hash")
        previous = e
    last = export['events'][-1] if export['events'] else None
    if last is not None and last['sequence'] == chain['headSequence'] and last['hash'] != chain['headHash']:
        problems.append('the last event is not the published head')
    if chain['complete']:
        sequences = [e['sequence'] for e in export['events']]
        if sequences != list(range(1, chain['headSequence'] + 1)):
            problems.append('a complete export is missing events')
        if (last['hash'] if last else chain['genesisHash']) != chain['headHash']:
            problems.append('the chain does not end at the published head')
    for p in problems:
        print('BROKEN: ' + p)
    if not problems:
        scope = 'end to end' if chain['complete'] else f"for {checked} unredacted event(s); gaps are the profile's"
        print(f"OK: {reference}, {len(export['events'])} event(s), head {chain['headHash'][:12]}…, verified {scope}")
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
