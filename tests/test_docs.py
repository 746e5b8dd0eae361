"""The documentation site: built offline from the notebooks, then opened page by page in headless Chromium."""
from html.parser import HTMLParser
import functools, http.server, importlib.util, json, os, shutil, subprocess, sys, threading
from pathlib import Path
from urllib.parse import urljoin, urlparse
import pytest

ROOT = Path(__file__).resolve().parent.parent
NBS = sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith('_'))
ARTIFACTS = ROOT/'test-artifacts'
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync']


def _load_builder():
    spec = importlib.util.spec_from_file_location('build_docs', ROOT/'tools'/'build_docs.py')
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope='module')
def site(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp('site')/'_docs'
    env = {k: v for k, v in os.environ.items() if k != 'IN_TEST'}
    subprocess.run([sys.executable, ROOT/'tools'/'build_docs.py', '--dest', dest, '--no-readme'], cwd=ROOT, env=env, check=True)
    return dest


@pytest.fixture(scope='module')
def server(site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args): pass
    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{httpd.server_address[1]}/'
    httpd.shutdown()


def test_one_page_per_notebook(site):
    pages = {p.name for p in site.glob('*.html')}
    assert 'index.html' in pages
    assert len(pages) == len(NBS), f'{len(NBS)} notebooks but pages {sorted(pages)}'
    for page in site.glob('*.html'):
        remote = remote_resources(page.read_text())
        assert not remote, f'{page.name} fetches resources from the network: {remote[:3]}'


def remote_resources(text: str) -> list[str]:
    "URLs of scripts, images, stylesheets and frames that a page would load from the network."
    found = []
    class Finder(HTMLParser):
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            url = a.get('src') if tag in ('script', 'img', 'iframe', 'audio', 'video', 'source') else \
                  a.get('href') if tag == 'link' and 'stylesheet' in (a.get('rel') or '') else None
            if url and url.startswith(('http:', 'https:', '//')): found.append(url)
    Finder().feed(text)
    return found


def test_readme_is_generated_from_index(site):
    "README.md is what the docs builder makes of nbs/index.ipynb (run `python3 tools/dev.py docs` after editing it)."
    expected = _load_builder().readme_text(ROOT/'_proc'/'index.ipynb')
    assert (ROOT/'README.md').read_text() == expected, 'README.md is stale: run `python3 tools/dev.py docs`'


def _chromium():
    return next((p for p in map(shutil.which, ('chromium', 'chromium-browser', 'google-chrome')) if p), None)


def test_pages_in_browser(site, server):
    "Every page renders its title and content, logs no error, and every link inside the site resolves."
    exe = _chromium()
    if exe is None:
        if os.environ.get('CI'): pytest.fail('Chromium is required in CI (tools/dev.py test installs it)')
        pytest.skip('Chromium is not installed (apt-get install chromium)')
    from playwright.sync_api import sync_playwright
    titles = {p.with_suffix('.html').name: None for p in NBS}
    problems, checked_links = [], 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={'width': 1280, 'height': 900})
        errors = []
        page.on('console', lambda m: errors.append(f'console {m.type}: {m.text}') if m.type == 'error' else None)
        page.on('pageerror', lambda e: errors.append(f'page error: {e}'))
        page.on('requestfailed', lambda r: errors.append(f'request failed: {r.url}'))
        anchors = {}
        for html in sorted(site.glob('*.html')):
            errors.clear()
            resp = page.goto(server + html.name, wait_until='load')
            assert resp.status == 200, html.name
            title = page.title()
            h1 = page.locator('main.pb-main h1').first.inner_text()
            content = page.locator('main.pb-main').inner_text()
            if not title or not h1: problems.append(f'{html.name}: no title')
            if len(content) < 300: problems.append(f'{html.name}: almost no content ({len(content)} chars)')
            if page.locator('nav.pb-nav a').count() < len(NBS): problems.append(f'{html.name}: navigation incomplete')
            problems += [f'{html.name}: {e}' for e in errors]
            anchors[html.name] = set(page.eval_on_selector_all('[id]', 'els => els.map(e => e.id)'))
            links = page.eval_on_selector_all('a[href]', 'els => els.map(e => e.getAttribute("href"))')
            for href in links:
                url = urlparse(urljoin(server + html.name, href))
                if url.scheme not in ('http', 'https') or url.netloc != urlparse(server).netloc: continue
                checked_links += 1
                target = url.path.lstrip('/') or 'index.html'
                if not (site/target).exists(): problems.append(f'{html.name}: broken link {href}')
                else: anchors.setdefault(('frag', target, url.fragment), (html.name, href))
            if html.name == 'index.html':
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS/'docs-home.png'), full_page=True)
        browser.close()
    for key, (src, href) in [(k, v) for k, v in anchors.items() if isinstance(k, tuple)]:
        _, target, frag = key
        if frag and frag not in anchors.get(target, set()): problems.append(f'{src}: link {href} has no target #{frag}')
    assert checked_links > 0
    assert not problems, '\n'.join(problems)
