"""The documentation site: built offline from the notebooks (Sphinx + MyST-NB), then used in headless Chromium."""
from html.parser import HTMLParser
import functools, http.server, importlib.util, os, shutil, subprocess, sys, threading
from pathlib import Path
from urllib.parse import urljoin, urlparse
import pytest

ROOT = Path(__file__).resolve().parent.parent
NBS = sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith('_'))
PAGES = sorted('index.html' if p.stem == 'index' else p.stem.split('_', 1)[1] + '.html' for p in NBS)
ARTIFACTS = ROOT/'test-artifacts'
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync']


def _load_builder():
    spec = importlib.util.spec_from_file_location('build_docs', ROOT/'tools'/'build_docs.py')
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope='module')
def site(tmp_path_factory) -> Path:
    "The site, built afresh (or the one in $PIXELBYTES_DOCS_SITE, to test a build you just made)."
    if os.environ.get('PIXELBYTES_DOCS_SITE'):
        return Path(os.environ['PIXELBYTES_DOCS_SITE'])
    dest = tmp_path_factory.mktemp('site')/'_docs'
    env = {k: v for k, v in os.environ.items() if k != 'IN_TEST'}
    subprocess.run([sys.executable, ROOT/'tools'/'build_docs.py', '--dest', dest, '--no-readme'], cwd=ROOT, env=env,
                   check=True)
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


def _chromium():
    return next((p for p in map(shutil.which, ('chromium', 'chromium-browser', 'google-chrome')) if p), None)


@pytest.fixture(scope='module')
def browser():
    exe = _chromium()
    if exe is None:
        if os.environ.get('CI'):
            pytest.fail('Chromium is required in CI (tools/dev.py test installs it)')
        pytest.skip('Chromium is not installed (apt-get install chromium)')
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_one_page_per_notebook(site):
    pages = {p.name for p in site.glob('*.html')}
    missing = set(PAGES) - pages
    assert not missing, f'no page for {sorted(missing)}'
    assert {'search.html', 'searchindex.js'} <= {p.name for p in site.iterdir()}, 'the site has no search'
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
            if url and url.startswith(('http:', 'https:', '//')):
                found.append(url)
    Finder().feed(text)
    return found


def test_readme_is_generated_from_index(site):
    "README.md is what the docs builder makes of nbs/index.ipynb (run `python3 tools/dev.py docs` after editing it)."
    expected = _load_builder().readme_text(ROOT/'_proc'/'index.ipynb')
    assert (ROOT/'README.md').read_text() == expected, 'README.md is stale: run `python3 tools/dev.py docs`'


def test_param_table():
    "show_doc's commented signature becomes a table of parameters, types, defaults and details."
    sig = ("def f(\n    a:int, # the a\n    b:str | None=None, # b, or `None`\n    *args,\n    c:float=1.5,\n"
           ")->dict: # what f returns")
    plain, table = _load_builder().param_table(sig)
    assert '#' not in plain and plain.startswith('def f(') and 'b:str | None=None,' in plain
    rows = table.splitlines()
    assert rows[0] == '| | Type | Default | Details |'
    assert rows[2] == '| `a` | `int` |  | the a |'
    assert rows[3] == '| `b` | `str \\| None` | `None` | b, or `None` |'
    assert rows[4] == '| `*args` |  |  |  |' and rows[5] == '| `c` | `float` | `1.5` |  |'
    assert rows[6] == '| **Returns** | `dict` |  | what f returns |'
    assert _load_builder().param_table('def f(x)') is None, 'nothing to tabulate'
    assert _load_builder().param_table('not python (') is None


def _errors_of(page) -> list[str]:
    errors = []
    page.on('console', lambda m: errors.append(f'console {m.type}: {m.text}') if m.type == 'error' else None)
    page.on('pageerror', lambda e: errors.append(f'page error: {e}'))
    page.on('requestfailed', lambda r: errors.append(f'request failed: {r.url}'))
    page.on('response', lambda r: errors.append(f'HTTP {r.status}: {r.url}') if r.status >= 400 else None)
    return errors


# code blocks and outputs wider than their box, without a way to scroll to the hidden part
OVERFLOWING = """() => [...document.querySelectorAll('article pre, article .cell_output, article table')].filter(el => {
  if (el.scrollWidth <= el.clientWidth + 1) return false;
  let node = el;
  while (node && node !== document.body) {
    const s = getComputedStyle(node);
    if (node.scrollWidth > node.clientWidth + 1 && ['auto', 'scroll'].includes(s.overflowX)) return false;
    node = node.parentElement;
  }
  return true;
}).map(el => el.tagName + '.' + el.className + ': ' + (el.innerText || '').slice(0, 60))"""


def test_pages_in_browser(site, server, browser):
    "Every page renders its title and content, logs no error, nothing overflows unscrollably, every link resolves."
    page = browser.new_page(viewport={'width': 1280, 'height': 900})
    errors = _errors_of(page)
    problems, checked_links, anchors = [], 0, {}
    for name in PAGES:
        errors.clear()
        resp = page.goto(server + name, wait_until='load')
        assert resp.status == 200, name
        h1 = page.locator('article h1').first.inner_text()
        content = page.locator('article').inner_text()
        if not page.title() or not h1:
            problems.append(f'{name}: no title')
        if len(content) < 300:
            problems.append(f'{name}: almost no content ({len(content)} chars)')
        nav = page.locator('nav.bd-docs-nav a.reference')
        if nav.count() < len(PAGES) - 1:
            problems.append(f'{name}: navigation lists {nav.count()} pages')
        if name != 'index.html' and page.locator('.prev-next-area a').count() == 0:
            problems.append(f'{name}: no previous/next links')
        problems += [f'{name}: overflows without a scroll bar: {o}' for o in page.evaluate(OVERFLOWING)]
        problems += [f'{name}: {e}' for e in errors]
        anchors[name] = set(page.eval_on_selector_all('[id]', 'els => els.map(e => e.id)'))
        for href in page.eval_on_selector_all('a[href]', 'els => els.map(e => e.getAttribute("href"))'):
            url = urlparse(urljoin(server + name, href))
            if url.scheme not in ('http', 'https') or url.netloc != urlparse(server).netloc:
                continue
            checked_links += 1
            target = url.path.lstrip('/') or 'index.html'
            if not (site / target).exists():
                problems.append(f'{name}: broken link {href}')
            elif url.fragment:
                anchors.setdefault(('frag', target, url.fragment), (name, href))
        if name == 'index.html':
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS/'docs-home.png'), full_page=False)
    for key, (src, href) in [(k, v) for k, v in anchors.items() if isinstance(k, tuple)]:
        _, target, frag = key
        if target.endswith('.html') and frag not in anchors.get(target, set()):
            problems.append(f'{src}: link {href} has no target #{frag}')
    page.close()
    assert checked_links > 100, f'only {checked_links} local links checked'
    assert not problems, '\n'.join(problems)


def test_search_finds_exported_name(server, browser):
    "The site's full-text search, typed into the search box, lists the chapter that defines `train_model`."
    page = browser.new_page(viewport={'width': 1280, 'height': 900})
    errors = _errors_of(page)
    page.goto(server + 'index.html', wait_until='load')
    page.keyboard.press('Control+k')   # the theme's search shortcut opens its search box
    box = page.locator('input[name="q"]:visible').first
    box.fill('train_model')
    box.press('Enter')
    page.wait_for_url('**/search.html?q=*')
    results = page.locator('#search-results ul.search li a')
    results.first.wait_for(timeout=30_000)
    hrefs = [results.nth(i).get_attribute('href') for i in range(results.count())]
    assert any(h.split('#')[0].endswith('train.html') for h in hrefs), f'search results: {hrefs}'
    assert not errors, errors
    page.close()


def test_generation_page_media(server, browser):
    "The generation chapter shows the generated animated sprite (a GIF image, loaded) and an audio player."
    page = browser.new_page(viewport={'width': 1280, 'height': 900})
    page.goto(server + 'generate.html', wait_until='load')
    gifs = page.locator('article img[src$=".gif"]')
    assert gifs.count() >= 1, 'no GIF on the generation page'
    assert gifs.first.evaluate('img => img.complete && img.naturalWidth > 0'), 'the GIF does not load'
    assert page.locator('article audio').count() >= 1, 'no audio player on the generation page'
    assert 'IPython.core.display.Image object' not in page.locator('article').inner_text()
    page.close()


def test_show_doc_has_parameter_table(server, browser):
    "An exported function's documentation has its parameter table, and its source link beside the heading."
    page = browser.new_page(viewport={'width': 1280, 'height': 900})
    page.goto(server + 'train.html#train_model', wait_until='load')
    head = page.locator('#train_model')
    text = page.locator('#train_model ~ .pst-scrollable-table-container table').first.inner_text()
    for expected in ('Type', 'Default', 'Details', 'epochs', 'int', 'one-cycle epochs', 'Returns', 'the run folder'):
        assert expected in text, f'{expected!r} not in the train_model table'
    link = head.locator('a.pb-source')
    assert link.inner_text() == 'source' and 'pixelbytes/train.py#L' in link.get_attribute('href')
    h, s = head.bounding_box(), link.bounding_box()
    assert h['y'] <= s['y'] + s['height'] / 2 <= h['y'] + h['height'], 'the source link is not beside the heading'
    page.close()


@pytest.mark.parametrize('name', ['train.html', 'generate.html'])
def test_readable_on_a_phone(server, browser, name):
    "At 420 px the navigation folds away and the text column takes most of the width; nothing overflows unscrollably."
    page = browser.new_page(viewport={'width': 420, 'height': 900})
    page.goto(server + name, wait_until='load')
    width = page.locator('article').bounding_box()['width']
    assert width >= 340, f'the text column is {width:.0f} px wide at 420 px'
    assert not page.locator('nav.bd-docs-nav').first.is_visible(), 'the chapter list still takes space'
    page.locator('button.primary-toggle').first.click()   # the drawer button brings the navigation back
    page.locator('nav.bd-docs-nav').first.wait_for(state='visible', timeout=5_000)
    overflow = page.evaluate('() => document.documentElement.scrollWidth - window.innerWidth')
    assert overflow <= 1, f'the page scrolls sideways by {overflow} px'
    assert not page.evaluate(OVERFLOWING)
    ARTIFACTS.mkdir(exist_ok=True)
    page.close()
