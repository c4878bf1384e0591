#!/usr/bin/python3
# Ansible module for the benchmark playbook: merge sections into a JSON5 config (OpenClaw's openclaw.json),
# adding only absent keys at any depth. Python has no JSON5 parser in its standard library; this one reads
# the subset OpenClaw configs use (comments, unquoted keys, single-quoted strings, trailing commas) and
# writes the result back as plain JSON (comments and formatting are not kept). Supports check mode.
import json
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule

IDENT_START = set('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$')
IDENT = IDENT_START | set('0123456789')


def json5_to_json(text):
    out = []  # tokens; ('id', name) for bare identifiers
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in ' \t\r\n\ufeff':
            i += 1
        elif text.startswith('//', i):
            j = text.find('\n', i)
            i = n if j < 0 else j + 1
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            if j < 0:
                raise ValueError('unterminated comment')
            i = j + 2
        elif c in '"\'':
            j, s = i + 1, []
            while j < n and text[j] != c:
                if text[j] == '\\':
                    e = text[j + 1]
                    if e == 'u':
                        s.append(chr(int(text[j + 2:j + 6], 16)))
                        j += 6
                        continue
                    if e == '\n':
                        j += 2
                        continue
                    s.append({'n': '\n', 't': '\t', 'r': '\r', 'b': '\b', 'f': '\f', '0': '\0'}.get(e, e))
                    j += 2
                else:
                    s.append(text[j])
                    j += 1
            out.append(json.dumps(''.join(s)))
            i = j + 1
        elif c in IDENT_START:
            j = i
            while j < n and text[j] in IDENT:
                j += 1
            out.append(('id', text[i:j]))
            i = j
        elif c in '}]':
            if out and out[-1] == ',':
                out.pop()
            out.append(c)
            i += 1
        elif c == ':':
            if out and isinstance(out[-1], tuple):
                out[-1] = json.dumps(out[-1][1])
            out.append(c)
            i += 1
        else:
            j = i
            while j < n and text[j] not in ' \t\r\n,:{}[]/':
                j += 1
            j = max(j, i + 1)
            tok = text[i:j]
            out.append(tok[1:] if tok.startswith('+') else tok)
            i = j
    lits = {'true': 'true', 'false': 'false', 'null': 'null', 'Infinity': '1e999', 'NaN': 'null'}
    return ''.join(lits[t[1]] if isinstance(t, tuple) else t for t in out)


def merge_absent(dst, src):
    changed = False
    for k, v in src.items():
        if k not in dst:
            dst[k] = v
            changed = True
        elif isinstance(dst[k], dict) and isinstance(v, dict):
            changed = merge_absent(dst[k], v) or changed
    return changed


def main():
    module = AnsibleModule(
        argument_spec=dict(path=dict(type='path', required=True), sections=dict(type='list', elements='dict', required=True)),
        supports_check_mode=True,
    )
    path = module.params['path']
    try:
        with open(path, encoding='utf-8') as f:
            doc = json.loads(json5_to_json(f.read()))
    except FileNotFoundError:
        doc = {}
    except ValueError as e:
        module.fail_json(msg='%s: not a JSON5 config this module can read: %s' % (path, e))
    changed = False
    for s in module.params['sections']:
        node = doc
        for key in s['path'][:-1]:
            if not isinstance(node.get(key), dict):
                if key in node:
                    module.fail_json(msg='%s: %s is not an object' % (path, key))
                node[key] = {}
                changed = True
            node = node[key]
        last = s['path'][-1]
        if last not in node:
            node[last] = s['value']
            changed = True
        elif isinstance(node[last], dict):
            changed = merge_absent(node[last], s['value']) or changed
    if changed and not module.check_mode:
        mode = os.stat(path).st_mode & 0o7777 if os.path.exists(path) else 0o600
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.openclaw.json.')
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(json.dumps(doc, indent=2) + '\n')
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    module.exit_json(changed=changed, path=path)


if __name__ == '__main__':
    main()
