"""The documentation site: built offline from the notebooks (Sphinx + MyST-NB), then used in headless Chromium."""
from html.parser import HTMLParser
import functools, http.server, importlib.util, os, re, shutil, subprocess, sys, threading
from pathlib import Path
from urllib.parse import urljoin, urlparse
import pytest

ROOT = Path(__file__).resolve().parent.parent
NBS = sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith('_'))
PAGES = sorted(p.stem.split('_', 1)[-1] + '.html' for p in NBS)          # 13_generate.ipynb -> generate.html
CHAPTERS = {p.stem.split('_', 1)[1] + '.html': p.stem.split('_', 1)[0] for p in NBS if '_' in p.stem}  # its number
MAX_PAGE_KB = 250
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
    done = subprocess.run([sys.executable, ROOT/'tools'/'build_docs.py', '--dest', dest, '--no-readme'], cwd=ROOT,
                          env=env, capture_output=True, text=True)
    print(done.stdout, done.stderr, sep='\n')
    assert done.returncode == 0, done.stderr[-3000:]
    # a warning in the build means something: nbdev's about cells that mix imports and other code is fixed in the cells
    assert 'Found cells containing imports and other code' not in done.stderr, 'split those cells (see the log)'
    assert 'WARNING' not in done.stderr, [l for l in done.stderr.splitlines() if 'WARNING' in l][:5]
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
        text = page.read_text()
        remote = remote_resources(text)
        assert not remote, f'{page.name} fetches resources from the network: {remote[:3]}'
        assert page.stat().st_size <= MAX_PAGE_KB * 1024, f'{page.name} is {page.stat().st_size // 1024} KB of HTML'
        assert not re.search(r'src="data:(audio|video|image/gif)', text), f'{page.name} inlines media: ship files'
        assert 'localhost' not in text, f'{page.name} links to a local address'


def test_api_objects_in_inventory(site):
    "Every documented name is a Python object in objects.inv (for intersphinx), with an anchor on its page, indexed."
    from sphinx.util.inventory import InventoryFile
    with open(site/'objects.inv', 'rb') as f:
        inv = InventoryFile.load(f, '', lambda base, uri: uri)
    py = {name: entry for kind, entries in getattr(inv, 'data', inv).items() if kind.startswith('py:')
          for name, entry in entries.items()}
    assert len(py) > 300, f'only {len(py)} Python objects in objects.inv'
    for name, page in (('pixelbytes.generate.generate', 'generate.html'), ('pixelbytes.core.Run', 'core.html'),
                       ('pixelbytes.train.train_model', 'train.html'), ('pixelbytes.cli.main', 'cli.html')):
        assert name in py, f'{name} is not in objects.inv'
        uri = py[name][2] if isinstance(py[name], tuple) else py[name].uri
        assert uri == f'{page}#{name}', uri
        assert f'id="{name}"' in (site/page).read_text(), f'no anchor for {name} on {page}'
    index = (site/'genindex.html').read_text()
    assert 'train_model()' in index and 'pixelbytes.generate' in index, 'the general index is empty'


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
    """show_doc's commented signature becomes a table of parameters, types, defaults and details (types and defaults as
    plain text, as nbdev shows them, markup escaped), and a one-line signature for the Python domain."""
    sig = ("def f(\n    a:int, # the a\n    b:str | None=None, # b, or `None`\n    *args,\n    c:float=1.5,\n"
           "    d:str='*_x_*',\n)->dict: # what f returns")
    builder = _load_builder()
    plain, table = builder.param_table(sig)
    assert '#' not in plain and plain.startswith('def f(') and 'b:str | None=None,' in plain
    rows = table.splitlines()
    assert rows[0] == '| | Type | Default | Details |'
    assert rows[2] == '| `a` | int |  | the a |'
    assert rows[3] == '| `b` | str \\| None | None | b, or `None` |'
    assert rows[4] == '| `*args` |  |  |  |' and rows[5] == '| `c` | float | 1.5 |  |'
    assert rows[6] == "| `d` | str | '\\*\\_x\\_\\*' |  |"
    assert rows[7] == '| **Returns** | dict |  | what f returns |'
    typed = "f(a: int, b: str | None=None, *args, c: float=1.5, d: str='*_x_*') -> dict"
    assert builder.signature_line(sig, 'f', 'function') == typed
    assert builder.signature_line(sig, 'f', 'function', types=False) == "f(a, b=None, *args, c=1.5, d='*_x_*')"
    assert builder.signature_line('def K(\n    self, x:int=1\n)->None:', 'K', 'class') == 'K(x: int=1)'
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
        if name == 'index.html':   # the chapter list is numbered as the notebooks are
            labels = dict(page.eval_on_selector_all('nav.bd-docs-nav a.reference',
                                                    'els => els.map(e => [e.getAttribute("href"), e.innerText])'))
            problems += [f'{p}: the chapter list calls it {labels.get(p)!r}, not numbered {n}'
                         for p, n in CHAPTERS.items() if not (labels.get(p) or '').startswith(n + ' ')]
        if name != 'index.html' and not page.locator('p.pb-nblinks a[href$=".ipynb"]').count():
            problems.append(f'{name}: no link to its notebook')
        if page.locator('article div.cell_input pre').count() and not page.locator('button.copybtn').count():
            problems.append(f'{name}: code without copy buttons')
        problems += [f'{name}: image without a description: {a}' for a in
                     page.eval_on_selector_all('article img', 'els => els.map(e => e.alt || "")')
                     if not a or '_images/' in a or re.fullmatch(r'[0-9a-f]{16,}\.\w+', a)]
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


def _search(server, browser, query: str) -> list[str]:
    "The links of the results the site's search box lists for `query`, best first."
    page = browser.new_page(viewport={'width': 1280, 'height': 900})
    errors = _errors_of(page)
    page.goto(server + 'index.html', wait_until='load')
    page.keyboard.press('Control+k')   # the theme's search shortcut opens its search box
    box = page.locator('input[name="q"]:visible').first
    box.fill(query)
    box.press('Enter')
    page.wait_for_url('**/search.html?q=*')
    results = page.locator('#search-results ul.search li > a:first-child')
    results.first.wait_for(timeout=30_000)
    page.wait_for_function('() => !document.querySelector("#search-progress")?.innerText.includes("Preparing")')
    hrefs = [results.nth(i).get_attribute('href') for i in range(results.count())]
    assert not errors, errors
    page.close()
    return hrefs


def test_search_finds_exported_name(server, browser):
    "The site's search lists the object `train_model` and its chapter; 'pixelbytes train' brings up that chapter first."
    hrefs = _search(server, browser, 'train_model')
    assert any(h.endswith('train.html#pixelbytes.train.train_model') for h in hrefs), f'search results: {hrefs}'
    top = [h.split('#')[0] for h in _search(server, browser, 'pixelbytes train')[:5]]
    assert {'train.html', 'cli.html'} & set(top), f'first five results: {top}'


@pytest.mark.parametrize('name', ['mainjob.html', 'gallery.html'])
def test_results_shown(server, browser, name):
    "The main job's chapter and the gallery show a stored run: sprites that load, cries that play (files, not inlined)."
    page = browser.new_page(viewport={'width': 1280, 'height': 900})
    errors = _errors_of(page)
    page.goto(server + name, wait_until='load')
    sprites = page.locator('article img[src$=".gif"]')
    assert sprites.count() >= 8, f'{sprites.count()} sprites'
    assert all(sprites.nth(i).evaluate('img => img.complete && img.naturalWidth > 0') for i in range(sprites.count()))
    cries = page.locator('article audio')
    assert cries.count() >= 8, f'{cries.count()} cries'
    src = cries.first.evaluate('a => a.currentSrc || a.src || a.querySelector("source").src')
    assert not src.startswith('data:'), 'the cry is inlined'
    assert page.evaluate('async src => (await fetch(src)).ok', src), f'{src} does not load'
    assert cries.first.evaluate('a => new Promise(ok => { a.onloadedmetadata = () => ok(a.duration); a.load(); })') > 0
    assert 'follow' in page.locator('article').inner_text(), "no verdict (did the model follow the descriptions?)"
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
    """An exported function is a Python object: its signature with a permalink and its source link, its parameter table,
    an entry in the page's contents; nbdev's anchor (`train.html#train_model`) still leads to it."""
    page = browser.new_page(viewport={'width': 1280, 'height': 900})
    page.goto(server + 'train.html#train_model', wait_until='load')
    head = page.locator('dt[id="pixelbytes.train.train_model"]')
    assert page.locator('dl#train_model > dt').first.get_attribute('id') == 'pixelbytes.train.train_model'
    text = head.locator('xpath=following-sibling::dd[1]').locator('table').first.inner_text()
    for expected in ('Type', 'Default', 'Details', 'epochs', 'int', 'one-cycle epochs', 'Returns', 'the run folder'):
        assert expected in text, f'{expected!r} not in the train_model table'
    link = head.locator('a:has(.viewcode-link)')
    assert link.inner_text() == '[source]' and 'pixelbytes/train.py#L' in link.get_attribute('href')
    h, s = head.bounding_box(), link.bounding_box()
    assert h['y'] <= s['y'] + s['height'] / 2 <= h['y'] + h['height'], 'the source link is not beside the signature'
    assert head.locator('a.headerlink').count() == 1, 'no permalink'
    toc = page.locator('nav.page-toc a[href="#pixelbytes.train.train_model"]')
    assert toc.count() == 1, 'train_model is not in the page contents'
    page.close()


def test_tables_fit_a_phone(site, server, browser):
    "At 390 px every parameter table fits the text column (each parameter a block: name, type, default, details)."
    page = browser.new_page(viewport={'width': 390, 'height': 800})
    wide = []
    for name in PAGES:
        page.goto(server + name, wait_until='load')
        wide += [f'{name}: {w}' for w in page.evaluate("""() => [...document.querySelectorAll('dl.py > dd table')]
            .filter(t => t.getBoundingClientRect().right
                         > document.querySelector('article').getBoundingClientRect().right + 1)
            .map(t => t.innerText.slice(0, 40))""")]
    page.close()
    assert not wide, f'{len(wide)} parameter tables wider than the screen: {wide[:5]}'


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
