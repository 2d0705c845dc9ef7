#!/usr/bin/env python3
"""Runs every shell and Python example of README.md and docs/*.md as written.

Each ```sh block is run with bash -euo pipefail (each ```python block with
this Python, the built module first on its path) in a scratch directory that
looks like the repository's root (corpus/, scripts/, bench/ and build/ are
links), with the build directory first on PATH, so `dubare ...` is the
command under test. The blocks of one file run in order in one directory
(a later block may read what an earlier one wrote). A block preceded by
`<!-- not run: REASON -->` is skipped, and the reason printed; there must be
one.

    check_examples.py SOURCE_DIR BUILD_DIR
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

BLOCK = re.compile(r'(?:<!-- not run: (?P<reason>[^>]*?) -->\s*\n)?```(?P<lang>sh|python)\n'
                   r'(?P<body>.*?)```', re.S)


def blocks(path):
    text = open(path, encoding='utf-8').read()
    for m in BLOCK.finditer(text):
        line = text.count('\n', 0, m.start('body'))
        yield line, m.group('lang'), m.group('body'), m.group('reason')


def main():
    source, build = (os.path.abspath(p) for p in sys.argv[1:3])
    files = [os.path.join(source, 'README.md')] + sorted(glob.glob(os.path.join(source, 'docs', '*.md')))
    env = dict(os.environ, PATH=build + os.pathsep + os.environ.get('PATH', ''),
               # mpirun refuses root without these (CI runs as root).
               OMPI_ALLOW_RUN_AS_ROOT='1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM='1',
               OMPI_MCA_rmaps_base_oversubscribe='1',
               PYTHONPATH=os.pathsep.join(p for p in (os.path.join(build, 'python'),
                                                      os.environ.get('PYTHONPATH')) if p))
    ran = skipped = failed = 0
    for path in files:
        name = os.path.relpath(path, source)
        work = tempfile.mkdtemp(prefix='dubare_examples_')
        try:
            for link in ('corpus', 'scripts', 'bench'):
                os.symlink(os.path.join(source, link), os.path.join(work, link))
            os.symlink(build, os.path.join(work, 'build'))
            for line, lang, body, reason in blocks(path):
                where = f'{name}:{line + 1}'
                if reason is not None:
                    print(f'skip {where}: {reason}')
                    skipped += 1
                    continue
                needs_mpi = re.search(r'^\s*mpirun\b', body, re.M)
                if needs_mpi and shutil.which('mpirun') is None:
                    print(f'skip {where}: mpirun is not installed')
                    skipped += 1
                    continue
                command = (['bash', '-euo', 'pipefail', '-c', body] if lang == 'sh'
                           else [sys.executable, '-c', body])
                r = subprocess.run(command, cwd=work, env=env,
                                   capture_output=True, text=True, timeout=300)
                ran += 1
                if r.returncode != 0:
                    failed += 1
                    print(f'FAIL {where}: exit {r.returncode}\n--- block\n{body}--- stderr\n'
                          f'{r.stderr[-3000:]}--- stdout\n{r.stdout[-1500:]}')
                else:
                    print(f'ok   {where}')
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print(f'examples: {ran} blocks run, {failed} failed, {skipped} skipped')
    if ran == 0:
        print('no example found: the pattern or the files changed')
        return 1
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
