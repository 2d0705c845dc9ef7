#!/usr/bin/env python3
"""Makes corpus/samples/: the small inputs that the examples of README.md and
docs/ read, so that each runs as written in a fresh clone
(tests/docs/check_examples.py runs them all).

The articles are synthetic Sorani news from dubare_gen (bench/gen), with
re-published copies and their known pairs. The files are checked in; run
this again only to change them (the output is the same bytes every time):

    python3 scripts/make_samples.py build/dubare_gen
"""

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'corpus', 'samples')


def generate(gen, docs, seed):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([gen, '--docs', str(docs), '--words', '80', '--seed', str(seed),
                        '--threads', '1', '--out', tmp], check=True, capture_output=True)
        with open(os.path.join(tmp, 'corpus.jsonl'), encoding='utf-8') as f:
            records = [json.loads(line) for line in f]
        with open(os.path.join(tmp, 'pairs.tsv'), encoding='utf-8') as f:
            pairs = f.read()
    return records, pairs


def lines(records):
    return ''.join(json.dumps(r, ensure_ascii=False) + '\n' for r in records)


def old_orthography(text):
    """As typed with an Arabic keyboard layout: Arabic kaf, ە as heh +
    ZWNJ inside a word and a bare heh at its end."""
    text = text.replace('ک', 'ك')
    text = re.sub(r'ە(?=\w)', 'ه\u200c', text)
    return text.replace('ە', 'ه')


def write(name, data, mode='w'):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode, **({} if 'b' in mode else {'encoding': 'utf-8'})) as f:
        f.write(data)


def main():
    gen = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'build', 'dubare_gen')
    shutil.rmtree(OUT, ignore_errors=True)
    # news.jsonl: id, text, date, source; pairs.tsv names the copies.
    news, pairs = generate(gen, 24, 11)
    write('news.jsonl', lines(news))
    write('news-pairs.tsv', pairs)
    # crawl/: a scraper's nested records, a zstd file a day.
    crawl, _ = generate(gen, 24, 12)
    nested = [{'meta': {'url': f'https://example.krd/{r["source"]}/{r["id"]}'},
               'body': r['text'], 'date': r['date']} for r in crawl]
    for day, part in ((1, nested[:12]), (2, nested[12:])):
        packed = subprocess.run(['zstd', '-q', '-19', '-c'], input=lines(part).encode('utf-8'),
                                check=True, capture_output=True).stdout
        write(f'crawl/2026-12-0{day}.jsonl.zst', packed, 'wb')
    # dump.jsonl.gz (mtime 0 and no name: the same bytes every time).
    dump, _ = generate(gen, 12, 13)
    for r in dump:  # ids unique across the samples, which examples read together
        r['id'] = 'dump-' + r['id']
    with open(os.path.join(OUT, 'dump.jsonl.gz'), 'wb') as raw:
        with gzip.GzipFile(fileobj=raw, mode='wb', mtime=0, filename='') as gz:
            gz.write(lines(dump).encode('utf-8'))
    # Single texts: an article in the old orthography, one to query an index
    # with (a copy of news.jsonl's first article under a new headline), and
    # today's articles (a copy of one, an article from the crawl, a new one).
    write('old-orthography.txt', old_orthography(news[0]['text']) + '\n')
    write('suspicious.txt', 'هەواڵی گرنگ: ' + news[0]['text'] + '\n')
    first = news[1]['text'].split('\n\n')
    write('today/a.txt', '\n\n'.join(first[:-1] if len(first) > 1 else first) + '\n')
    write('today/b.txt', crawl[0]['text'] + '\n')
    write('today/c.txt', 'ئەمە هەواڵێکی نوێیە کە پێشتر لە هیچ شوێنێک بڵاو نەکراوەتەوە.\n')


if __name__ == '__main__':
    main()
