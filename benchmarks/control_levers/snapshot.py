"""Copy a run's current best weights into a loadable model folder (to evaluate while training goes on).
python experiments/snapshot.py RUN DEST"""
import sys, json, shutil
from pathlib import Path
from dataclasses import asdict
from pixelbytes.models import ModelConfig
run, dest = Path(sys.argv[1]), Path(sys.argv[2])
s = json.loads((run / 'run.json').read_text())
c = ModelConfig(vocab_size=json.loads((run / 'control_tokenizer.json').read_text()) and None or 292,
                embed_size=s['embed_size'], hidden_size=s['hidden_size'], num_layers=s['num_layers'],
                bidirectional=s['objective'] == 'diffusion', objective=s['objective'])
dest.mkdir(parents=True, exist_ok=True)
(dest / 'config.json').write_text(json.dumps({'model_type': c.model_type, **asdict(c)}, indent=1))
shutil.copy(run / 'best.safetensors', dest / 'model.safetensors')
shutil.copy(run / 'control_tokenizer.json', dest / 'control_tokenizer.json')
print('snapshot', dest)
