#!/usr/bin/env python3
"""Regenerate what docs/使用说明.html shows the program printing.

    scripts/walkthrough.py [--eduaid PATH] [--check]

Each `<pre class="cmd">$ eduaid …</pre>` of the walkthrough is run (in a
temporary folder, in Chinese: LANG=zh_CN.UTF-8), in the order the page gives
them, and the `<pre class="out">` after it is replaced by what the program
printed (stdout and stderr together), without progress lines. A block that
was cut (……（以下略，共 N 行）) keeps as many lines as before, with the new
count; a block that ended with its exit code ([退出码 N]) gets the new one.
`eduaid serve` is not run (it does not end). With --check nothing is written
and the exit status is 1 if the page is out of date.

The default program is target/release/eduaid, else target/debug/eduaid.
"""
import html
import os
import re
import shlex
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE = os.path.join(ROOT, "docs", "使用说明.html")
PAIR = re.compile(r'(<pre class="cmd">\$ (eduaid[^<]*)</pre>\n<pre class="out">)(.*?)(</pre>)', re.S)
CUT = re.compile(r"……（以下略，共 (\d+) 行）$")
EXIT = re.compile(r"\[退出码 (\d+)\]$")
PROGRESS = re.compile(r"^(正在读取|正在计算|计算中|核对中|读取中)")


def program(argv):
    if "--eduaid" in argv:
        return os.path.abspath(argv[argv.index("--eduaid") + 1])
    for kind in ("release", "debug"):
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
        p = os.path.join(target, kind, "eduaid")
        if os.path.exists(p):
            return p
    sys.exit("walkthrough: no eduaid program built (cargo build -p eduaid-cli)")


def run(eduaid, command, work):
    args = shlex.split(html.unescape(command))[1:]
    env = dict(os.environ, LANG="zh_CN.UTF-8", LC_ALL="zh_CN.UTF-8", NO_COLOR="1")
    r = subprocess.run([eduaid] + args, cwd=work, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=3600)
    text = r.stdout.decode("utf-8", "replace")
    lines = [l.rstrip() for l in text.splitlines() if not PROGRESS.match(l)]
    while lines and not lines[-1]:
        lines.pop()
    return lines, r.returncode


def main(argv):
    eduaid = program(argv)
    page = open(PAGE, encoding="utf-8").read()
    out = []
    pos = 0
    with tempfile.TemporaryDirectory() as work:
        for m in PAIR.finditer(page):
            out.append(page[pos:m.start(3)])
            old = html.unescape(m.group(3)).split("\n")
            command = m.group(2)
            if command.startswith("eduaid serve"):
                out.append(m.group(3))
                pos = m.end(3)
                continue
            lines, code = run(eduaid, command, work)
            shown = len(lines)
            cut = CUT.search(old[-1]) if old else None
            has_exit = bool(old and EXIT.search(old[-1]))
            if cut:
                shown = len(old) - 1
            new = lines[:shown]
            if cut and len(lines) > shown:
                new.append(f"……（以下略，共 {len(lines)} 行）")
            if has_exit:
                new.append(f"[退出码 {code}]")
            out.append(html.escape("\n".join(new), quote=False))
            pos = m.end(3)
            print(f"{command}: exit {code}, {len(lines)} lines", file=sys.stderr)
    out.append(page[pos:])
    fresh = "".join(out)
    if "--check" in argv:
        if fresh != page:
            print("walkthrough: docs/使用说明.html is out of date (scripts/walkthrough.py)", file=sys.stderr)
            return 1
        return 0
    if fresh != page:
        tmp = PAGE + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(fresh)
        os.replace(tmp, PAGE)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
