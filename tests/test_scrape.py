"""The scrapers against a local HTTP server on 127.0.0.1 that serves pages shaped like the real sites, and every failure
the issue names: 404, 500-then-success, slow responses, truncated bodies, changed layouts, hostile src values, oversized
files, wrong content types, robots.txt, redirects, and an interrupted run that resumes. Loopback only, fast settings."""
import http.server, socket, threading, time
from pathlib import Path
from pixelbytes.core import atomic_path
import pytest
from pixelbytes.scrape import _get_once
from pixelbytes.scrape import Fetcher, FetchError, NetworkError, LayoutError, RunReport, fetch, download_file
from pixelbytes.scrape import download_sprites, download_cries, download_descriptions, download_miniatures

GIF = (b'GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x00\x00\x00\x00\x00,'
       b'\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;')
OGG = b'OggS\x00\x02' + bytes(58)
PNG = b'\x89PNG\r\n\x1a\n' + bytes(30)
FRONT = '/en/index.php?id=sprites/gen5/ani_black-white'
BACK = '/en/index.php?id=sprites/gen5/ani-b_black-white'


class Server:
    """A loopback server: `routes[path] = handler(request_handler)` or `(status, content_type, body)`; `log` lists paths
    asked."""
    def __init__(self):
        self.routes, self.log, self.headers = {}, [], []
        srv = self
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                srv.log.append(self.path)
                srv.headers.append(dict(self.headers))
                route = srv.routes.get(self.path, srv.routes.get(self.path.split('?')[0]))
                if route is None:
                    route = (404, 'text/html', b'<p>not found</p>')
                if callable(route):
                    return route(self)
                send(self, *route)
            def log_message(self, *a): pass
        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f'http://127.0.0.1:{self.httpd.server_port}'
        self.host = f'127.0.0.1:{self.httpd.server_port}'
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def count(self, path): return sum(p == path for p in self.log)
    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def send(h, status, ctype, body, length=None):
    h.send_response(status)
    h.send_header('Content-Type', ctype)
    h.send_header('Content-Length', str(len(body) if length is None else length))
    h.end_headers()
    h.wfile.write(body)


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


def quick(server, **kw) -> Fetcher:
    "A fetcher for the test server with tiny delays, so the whole suite stays fast."
    return Fetcher(hosts=(server.host,), **{'min_interval': 0, 'timeout': 0.5, 'retries': 2, 'backoff': 0.01, **kw})


def no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.rglob('.*')]


def sprite_page(*srcs):
    return (200, 'text/html; charset=utf-8',
            ''.join(f'<td><img src="{s}" alt="Name{i} extra"></td>' for i, s in enumerate(srcs)).encode())

# --- the fetcher ---------------------------------------------------------------------------------------------------

def test_404_is_not_retried(server):
    with pytest.raises(FetchError, match='HTTP 404'):
        fetch(quick(server), server.url + '/missing.gif', 'gif')
    assert server.count('/missing.gif') == 1


def test_500_then_success(server):
    calls = []
    def flaky(h):
        calls.append(1)
        send(h, 500, 'text/html', b'oops') if len(calls) < 3 else send(h, 200, 'image/gif', GIF)
    server.routes['/a.gif'] = flaky
    assert fetch(quick(server), server.url + '/a.gif', 'gif') == GIF
    assert server.count('/a.gif') == 3


def test_500_forever_gives_up_with_reason(server):
    server.routes['/a.gif'] = (503, 'text/html', b'busy')
    with pytest.raises(FetchError, match='HTTP 503.*3 attempts'):
        fetch(quick(server), server.url + '/a.gif', 'gif')
    assert server.count('/a.gif') == 3


def test_backoff_is_exponential(server):
    server.routes['/a.gif'] = (500, 'text/html', b'')
    t = time.monotonic()
    with pytest.raises(FetchError):
        fetch(quick(server, backoff=0.1, retries=2), server.url + '/a.gif', 'gif')
    assert time.monotonic() - t >= 0.1 + 0.2


def test_slower_than_timeout(server):
    def slow(h):
        time.sleep(0.6)
        send(h, 200, 'image/gif', GIF)
    server.routes['/slow.gif'] = slow
    t = time.monotonic()
    with pytest.raises(FetchError, match='timed out') as e:
        fetch(quick(server, timeout=0.2, retries=1), server.url + '/slow.gif', 'gif')
    assert not isinstance(e.value, NetworkError) and time.monotonic() - t < 2
    assert server.count('/slow.gif') == 2


def test_truncated_body_is_retried_then_reported(server, tmp_path):
    server.routes['/t.gif'] = lambda h: send(h, 200, 'image/gif', GIF[:10], length=len(GIF))
    report = RunReport()
    download_file(quick(server), server.url + '/t.gif', tmp_path/'0001.gif', 'gif', report)
    assert report.failed and 'truncated' in report.failed[0][1] and server.count('/t.gif') == 3
    assert list(tmp_path.iterdir()) == []          # neither the file nor a temporary one


def test_truncated_then_whole(server):
    calls = []
    def once_truncated(h):
        calls.append(1)
        send(h, 200, 'image/gif', GIF[:5] if len(calls) == 1 else GIF, length=len(GIF))
    server.routes['/t.gif'] = once_truncated
    assert fetch(quick(server), server.url + '/t.gif', 'gif') == GIF


def test_oversized_content_length_refused_up_front(server):
    server.routes['/big.gif'] = lambda h: send(h, 200, 'image/gif', GIF, length=10_000_000)
    with pytest.raises(FetchError, match='too large: Content-Length'):
        fetch(quick(server, max_bytes=1000), server.url + '/big.gif', 'gif')
    assert server.count('/big.gif') == 1          # a size refusal is final, not retried


def test_oversized_stream_is_cut_at_the_cap(server):
    def endless(h):                                # no Content-Length: the body ends when the connection closes
        h.send_response(200)
        h.send_header('Content-Type', 'image/gif')
        h.end_headers()
        try:
            h.wfile.write(GIF)
            for _ in range(200):
                h.wfile.write(bytes(10_000))
        except OSError:
            pass
    server.routes['/big.gif'] = endless
    with pytest.raises(FetchError, match='more than the cap'):
        fetch(quick(server, max_bytes=50_000), server.url + '/big.gif', 'gif')


def test_wrong_content_type_and_bad_magic(server):
    server.routes['/a.gif'] = (200, 'text/html', GIF)
    server.routes['/b.gif'] = (200, 'image/gif', b'<html>not a gif</html>')
    with pytest.raises(FetchError, match='wrong content type'):
        fetch(quick(server), server.url + '/a.gif', 'gif')
    with pytest.raises(FetchError, match='not a GIF'):
        fetch(quick(server), server.url + '/b.gif', 'gif')


def test_robots_disallow_and_cache(server):
    server.routes['/robots.txt'] = (200, 'text/plain', b'User-agent: *\nDisallow: /private/\n')
    server.routes['/private/a.gif'] = (200, 'image/gif', GIF)
    server.routes['/public/a.gif'] = (200, 'image/gif', GIF)
    f = quick(server)
    with pytest.raises(FetchError, match='robots.txt'):
        fetch(f, server.url + '/private/a.gif', 'gif')
    for _ in range(3):
        assert fetch(f, server.url + '/public/a.gif', 'gif') == GIF
    assert server.count('/private/a.gif') == 0 and server.count('/robots.txt') == 1


def test_robots_forbidden_means_disallow_all(server):
    server.routes['/robots.txt'] = (403, 'text/plain', b'')
    server.routes['/a.gif'] = (200, 'image/gif', GIF)
    with pytest.raises(FetchError, match='robots.txt'):
        fetch(quick(server), server.url + '/a.gif', 'gif')


def test_user_agent_and_rate_limit(server):
    server.routes['/a.gif'] = (200, 'image/gif', GIF)
    f = quick(server, min_interval=0.15, user_agent='pb-test/1.0')
    t = time.monotonic()
    for _ in range(3):
        fetch(f, server.url + '/a.gif', 'gif')
    assert time.monotonic() - t >= 3 * 0.15 * 0.95  # robots.txt + 3 files = 4 requests, 3 intervals
    assert {h['User-Agent'] for h in server.headers} == {'pb-test/1.0'}


def test_only_allow_listed_http_hosts(server):
    f = quick(server)
    for bad in ['http://evil.example/a.gif', 'file:///etc/passwd', 'javascript:alert(1)', f'http://x@{server.host}/a.gif']:
        with pytest.raises(FetchError, match='refused'):
            fetch(f, bad, 'gif')
    assert server.log == []


def test_redirects_are_checked(server):
    server.routes['/a.gif'] = (200, 'image/gif', GIF)
    def moved(target): return lambda h: (h.send_response(302), h.send_header('Location', target),
                                         h.send_header('Content-Length', '0'), h.end_headers())
    server.routes['/here.gif'] = moved('/a.gif')
    server.routes['/away.gif'] = moved('http://evil.example/a.gif')
    f = quick(server)
    assert fetch(f, server.url + '/here.gif', 'gif') == GIF
    with pytest.raises(FetchError, match='not allowed'):
        fetch(f, server.url + '/away.gif', 'gif')



def test_https_never_redirects_down_to_http():
    "An https page that redirects to plain http on the same host is refused, not followed (no request is sent there)."
    asked = []
    class Moved:
        is_redirect, headers = True, {'location': 'http://www.pokepedia.fr/a.gif'}
        def __enter__(self): return self
        def __exit__(self, *exc): return False
    class Session:
        def get(self, url, **kwargs):
            asked.append(url)
            return Moved()
    f = Fetcher(hosts=('www.pokepedia.fr',), min_interval=0, retries=0, robots=False)
    f.session = Session()
    with pytest.raises(FetchError, match='from https down to http'):
        _get_once(f, 'https://www.pokepedia.fr/a.gif')
    assert asked == ['https://www.pokepedia.fr/a.gif']

def test_unreachable_host_says_no_network(tmp_path):
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()  # a port nobody listens on
    base = f'http://127.0.0.1:{port}'
    f = Fetcher(hosts=(f'127.0.0.1:{port}',), min_interval=0, timeout=0.5, retries=1, backoff=0.01)
    with pytest.raises(NetworkError, match=f'cannot reach 127.0.0.1:{port}: no network'):
        download_cries(tmp_path, [1, 2], base_url=base, fetcher=f, progress=False)
    assert not (tmp_path/'audio').exists() or list((tmp_path/'audio').iterdir()) == []

# --- sprites ---------------------------------------------------------------------------------------------------------

def test_sprites_forms_kept_apart_and_names(server, tmp_path):
    server.routes[FRONT] = sprite_page(
        '/s/ani_bw_001.gif', '/s/ani_bw_386-a.gif', '/s/ani_bw_386-b.gif', 's/ani_bw_386.gif'
    )
    for p in ['/s/ani_bw_001.gif', '/s/ani_bw_386-a.gif', '/s/ani_bw_386-b.gif', '/s/ani_bw_386.gif']:
        server.routes[p] = (200, 'image/gif', GIF + p.encode())
    report = download_sprites(tmp_path, base_url=server.url, fetcher=quick(server), progress=False)
    images = tmp_path/'images'
    assert sorted(p.name for p in images.iterdir()) == ['0001.gif', '0386-a.gif', '0386-b.gif', '0386.gif', 'names.csv']
    assert (images / '0386-a.gif').read_bytes().endswith(b'386-a.gif') and (
        images / '0386-b.gif'
    ).read_bytes().endswith(b'386-b.gif')
    assert (images/'names.csv').read_text().splitlines()[:2] == ['name,file', 'Name0,0001.gif']
    assert len(report.downloaded) == 4 and report.failed == []


def test_back_sprites(server, tmp_path):
    server.routes[BACK] = sprite_page('/s/ani-b_bw_025.gif')
    server.routes['/s/ani-b_bw_025.gif'] = (200, 'image/gif', GIF)
    download_sprites(tmp_path, back=True, base_url=server.url, fetcher=quick(server), progress=False)
    assert (tmp_path/'images_back'/'0025.gif').read_bytes() == GIF


def test_sprite_layout_changed(server, tmp_path):
    server.routes[FRONT] = (200, 'text/html', b'<div class="gallery" data-sprites="[...]"></div>')
    with pytest.raises(LayoutError, match='layout not recognised'):
        download_sprites(tmp_path, base_url=server.url, fetcher=quick(server), progress=False)


def test_hostile_srcs_are_refused(server, tmp_path):
    server.routes[FRONT] = sprite_page(
        '../../x/ani_bw_002.gif',
        'http://evil.example/ani_bw_003.gif',
        'javascript:alert(1);ani_bw_004.gif',
        'data:image/gif;base64,R0lGODlh/ani_bw_005.gif',
        '/s/..%2F..%2Fani_bw_006.gif',
        '/s/ani_bw_001.gif',
    )
    server.routes['/s/ani_bw_001.gif'] = (200, 'image/gif', GIF)
    report = download_sprites(tmp_path, base_url=server.url, fetcher=quick(server), progress=False)
    assert [p.name for p in report.downloaded] == ['0001.gif']
    reasons = ' | '.join(r for _, r in report.failed)
    assert (
        len(report.failed) == 5
        and '..' in reasons
        and 'not allowed' in reasons
        and "'javascript'" in reasons
        and "'data'" in reasons
    )
    assert sorted(p.name for p in tmp_path.rglob('*') if p.is_file()) == ['0001.gif', 'names.csv']
    assert not any('x/' in p or 'evil' in p for p in server.log)


def test_interrupted_run_resumes(server, tmp_path):
    files = [f'/s/ani_bw_{i:03d}.gif' for i in range(1, 7)]
    server.routes[FRONT] = sprite_page(*files)
    down = {'served': 0, 'dead': False}
    def gif(h):
        if down['dead'] or down['served'] >= 3:     # the server drops after three files
            down['dead'] = True
            h.close_connection = True
            return
        down['served'] += 1
        send(h, 200, 'image/gif', GIF)
    for p in files:
        server.routes[p] = gif
    with pytest.raises(NetworkError, match='cannot reach'):
        download_sprites(tmp_path, base_url=server.url, fetcher=quick(server), progress=False)
    images = tmp_path/'images'
    assert sorted(p.name for p in images.iterdir()) == ['0001.gif', '0002.gif', '0003.gif'] and no_temp_files(tmp_path)
    down['dead'], server.log[:] = False, []
    down['served'] = -10
    report = download_sprites(tmp_path, base_url=server.url, fetcher=quick(server), progress=False)
    assert [p.name for p in report.skipped] == ['0001.gif', '0002.gif', '0003.gif']
    assert [p.name for p in report.downloaded] == ['0004.gif', '0005.gif', '0006.gif']
    assert sorted(p for p in server.log if p.endswith('.gif')) == files[3:]   # only the rest was fetched
    assert all((images/f'{i:04d}.gif').read_bytes() == GIF for i in range(1, 7)) and no_temp_files(tmp_path)


def test_write_interrupted_mid_file_leaves_nothing(server, tmp_path, monkeypatch):
    import pixelbytes.scrape as scrape
    server.routes[FRONT] = sprite_page('/s/ani_bw_001.gif')
    server.routes['/s/ani_bw_001.gif'] = (200, 'image/gif', GIF)
    real = scrape.atomic_write
    def crash(path, data):
        with atomic_path(path) as tmp:
            tmp.write_bytes(data[:4])
            raise KeyboardInterrupt
    monkeypatch.setattr(scrape, 'atomic_write', crash)
    with pytest.raises(KeyboardInterrupt):
        download_sprites(tmp_path, base_url=server.url, fetcher=quick(server), progress=False)
    assert [p for p in tmp_path.rglob('*') if p.is_file()] == []
    monkeypatch.setattr(scrape, 'atomic_write', real)
    assert [
        p.name
        for p in download_sprites(tmp_path, base_url=server.url, fetcher=quick(server), progress=False).downloaded
    ] == ['0001.gif']

# --- cries, descriptions, miniatures ---------------------------------------------------------------------------------

def cry_page(href):
    return (200, 'text/html', f'<div class="fullMedia"><a href="{href}" class="internal">file</a></div>'.encode())


def test_cries(server, tmp_path):
    server.routes['/Fichier:Cri_0001_HOME.ogg'] = cry_page('/images/a/ab/Cri_0001_HOME.ogg')
    server.routes['/images/a/ab/Cri_0001_HOME.ogg'] = (200, 'application/ogg', OGG)
    server.routes['/Fichier:Cri_0002_HOME.ogg'] = (
        200,
        'text/html',
        b'<div class="fullMedia"><audio src="x.ogg"></audio></div>',
    )
    server.routes['/Fichier:Cri_0004_HOME.ogg'] = cry_page('/images/Cri_0004_HOME.ogg')
    server.routes['/images/Cri_0004_HOME.ogg'] = (200, 'audio/ogg', b'ID3 an mp3')
    report = download_cries(tmp_path, [1, 2, 3, 4], base_url=server.url, fetcher=quick(server), progress=False)
    assert (tmp_path / 'audio' / '0001.ogg').read_bytes() == OGG and sorted(
        p.name for p in (tmp_path / 'audio').iterdir()
    ) == ['0001.ogg']
    reasons = [r for _, r in report.failed]
    assert (
        len(reasons) == 3
        and 'layout not recognised' in reasons[0]
        and 'HTTP 404' in reasons[1]
        and 'not a OGG' in reasons[2]
    )
    again = download_cries(tmp_path, [1], base_url=server.url, fetcher=quick(server), progress=False)
    # complete files cost no request
    assert len(again.skipped) == 1 and server.count('/Fichier:Cri_0001_HOME.ogg') == 1


def test_descriptions_bulbapedia_and_pokepedia(server, tmp_path):
    server.routes['/wiki/Bulbasaur_(Pok%C3%A9mon)'] = (
        200,
        'text/html',
        '''<div id="mw-content-text"><p>Intro.</p>
        <h2><span class="mw-headline" id="Biology">Biology</span></h2>
        <p>Bulbasaur is a small <b>quadruped</b> Pokémon.</p></div>'''.encode(),
    )
    server.routes['/wiki/Mr._Mime_(Pok%C3%A9mon)'] = (
        200,
        'text/html',
        b'<div id="mw-content-text"><p>Mr. Mime is a Psychic type.</p></div>',
    )
    server.routes['/wiki/Ghost_(Pok%C3%A9mon)'] = (200, 'text/html', b'<main>redesigned</main>')
    report = download_descriptions(tmp_path, {1: 'Bulbasaur', 122: 'Mr. Mime', 999: 'Ghost'}, base_url=server.url,
                                   fetcher=quick(server), progress=False)
    assert (tmp_path/'text'/'0001.txt').read_text(encoding='utf-8') == 'Bulbasaur is a small quadruped Pokémon.\n'
    assert (tmp_path/'text'/'0122.txt').read_text() == 'Mr. Mime is a Psychic type.\n'
    assert len(report.failed) == 1 and 'layout not recognised' in report.failed[0][1]
    server.routes['/Bulbizarre'] = (
        200,
        'text/html',
        '<div id="mw-content-text"><p><b>Bulbizarre</b> est un Pokémon.</p></div>'.encode(),
    )
    download_descriptions(
        tmp_path / 'fr', ['Bulbizarre'], source='pokepedia', base_url=server.url, fetcher=quick(server), progress=False
    )
    assert (tmp_path/'fr'/'text'/'0001.txt').read_text(encoding='utf-8') == 'Bulbizarre est un Pokémon.\n'


def test_miniatures(server, tmp_path):
    path = '/Liste_des_Pok%C3%A9mon_dans_l%27ordre_du_Pok%C3%A9dex_National'
    server.routes[path] = (200, 'text/html', f'''<table><tr><th>N</th><th>img</th></tr>
        <tr><td>001</td><td><img src="/m/001.png"></td><td>Bulbizarre</td><td>Bulbasaur</td></tr>
        <tr><td>25</td><td><img src="{server.url}/m/025.png"></td><td>Pikachu</td><td>Pikachu</td></tr>
        <tr><td>26</td><td><img src="../../etc/026.png"></td><td>Raichu</td><td>Raichu</td></tr></table>'''.encode())
    server.routes['/m/001.png'] = server.routes['/m/025.png'] = (200, 'image/png', PNG)
    report = download_miniatures(tmp_path, base_url=server.url, fetcher=quick(server), progress=False)
    assert sorted(p.name for p in (tmp_path/'images').iterdir()) == ['0001.png', '0025.png']
    assert (tmp_path/'names.csv').read_text().splitlines() == ['number,name', '0001,Bulbasaur', '0025,Pikachu']
    assert len(report.failed) == 1 and '..' in report.failed[0][1]
    server.routes[path] = (200, 'text/html', b'<ul><li>001 Bulbizarre</li></ul>')
    with pytest.raises(LayoutError, match='layout not recognised'):
        download_miniatures(tmp_path, base_url=server.url, fetcher=quick(server), progress=False)
