#!/usr/bin/env python3
"""Copy a few held-out examples of two stored `pixelbytes demo` runs into `nbs/images/demo/`, small enough to commit:
the docs' gallery and the main job's chapter show them (sprites as GIF, cries as MP3, each run's report summary).

    python tools/gallery.py RUN [RESEARCH_RUN] [--items 8] [--dest nbs/images/demo]

RUN is a run of `pixelbytes demo` (the described LSTM, the default); RESEARCH_RUN one of
`pixelbytes demo --memory_size 0 --position_size 0` (the research's aPxBy LSTM) with the same data and seed, so that
both drew and voiced the same held-out descriptions. The examples are the first `--items` held-out descriptions, in
order, whatever the checks said: nothing is picked for looking good.
"""
import argparse, json, shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ('free',)                 # the model's own structure: it chooses the size and length, as the words say


def cry_mp3(wav: Path, dest: Path) -> None:
    "The cry's first channel (the sound; the second is the research's Game-Boy 'state') as a small mono MP3."
    import soundfile as sf
    data, rate = sf.read(wav, always_2d=True)
    sf.write(dest, data[:, 0], rate, format='MP3', compression_level=0.9)


def copy_item(run: Path, item: dict, kind: str | None, dest: Path, stem: str) -> dict:
    "The sprite and cry of one generation (`kind`) or of the real creature (None), copied; their names and checks."
    files = item['real']['files'] if kind is None else item[kind]['files']
    out = {}
    if 'gif' in files:
        shutil.copyfile(run/files['gif'], dest/f'{stem}.gif')
        out['gif'] = f'{stem}.gif'
    if 'wav' in files:
        cry_mp3(run/files['wav'], dest/f'{stem}.mp3')
        out['audio'] = f'{stem}.mp3'
    if kind is not None:
        out['agreement'] = item[kind].get('agreement', {})
        out['measured'] = item[kind].get('measured', {})
    return out


def gallery(runs: dict[str, Path], n: int, dest: Path) -> dict:
    "Write the examples and `gallery.json` into `dest`; return what was written."
    reports = {name: json.loads((run/'report.json').read_text()) for name, run in runs.items()}
    first = next(iter(reports.values()))
    for name, rep in reports.items():
        if [i['text'] for i in rep['items']] != [i['text'] for i in first['items']]:
            raise SystemExit(f'{runs[name]} drew other descriptions than {next(iter(runs.values()))}: '
                             'use the same data, number of creatures and seed')
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    items = []
    for k, item in enumerate(first['items'][:n]):
        number = item['number']
        entry = {'number': number, 'text': item['text'], 'attributes': item['attributes'],
                 'real': copy_item(runs[next(iter(runs))], item, None, dest, f'{number}_real')}
        for name, rep in reports.items():
            entry[name] = {kind: copy_item(runs[name], rep['items'][k], kind, dest, f'{number}_{name}_{kind}')
                           for kind in KINDS}
        items.append(entry)
    summaries = {name: rep['summary'] for name, rep in reports.items()}
    data = {'runs': summaries, 'items': items}
    (dest/'gallery.json').write_text(json.dumps(data, indent=1, default=str) + '\n')
    return data


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('run', help="a run folder of `pixelbytes demo` (the described LSTM)")
    ap.add_argument('research_run', nargs='?', help="the same demo with the research's aPxBy LSTM")
    ap.add_argument('--items', type=int, default=8, help='how many held-out descriptions to copy (the first ones)')
    ap.add_argument('--dest', default=str(ROOT/'nbs'/'images'/'demo'), help='where to write them')
    args = ap.parse_args(argv)
    runs = {'described': Path(args.run)}
    if args.research_run:
        runs['research'] = Path(args.research_run)
    gallery(runs, args.items, Path(args.dest))
    size = sum(p.stat().st_size for p in Path(args.dest).iterdir())
    print(f'Wrote {args.items} examples of {len(runs)} run(s) to {args.dest} ({size / 1024:.0f} KB)')


if __name__ == '__main__':
    main()
