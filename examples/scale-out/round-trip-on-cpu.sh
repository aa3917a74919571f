#!/usr/bin/env bash
# The whole hand-over on one machine without GPUs: prepare, train 3 steps here, export, 3 steps of
# train_ddp.py under torchrun with 2 CPU processes (gloo), import, and 1 more step here.
#
#   examples/scale-out/round-trip-on-cpu.sh MODEL_DIR WORK_DIR
#
# MODEL_DIR: a small Hugging Face GPT-2 directory (the test suite's gpt2-tiny fixture serves).
# Needs python with torch and transformers (PYTHON, default python3) and `dialogpt` (DIALOGPT).
set -euo pipefail
MODEL=$1 WORK=$2
DIALOGPT=${DIALOGPT:-dialogpt}
PYTHON=${PYTHON:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
rm -rf "$WORK" && mkdir -p "$WORK"

$DIALOGPT prepare --input "$HERE/../data/reddit-sample.jsonl" --out "$WORK/store" --max-length 64
$DIALOGPT train --model "$MODEL" --train "$WORK/store" --out "$WORK/run" --steps 3 --batch-size 2 \
  --lr 1e-3 --schedule constant --checkpoint-every 3 --json
$DIALOGPT export-torch --run "$WORK/run" --store "$WORK/store" --world-size 2 --out "$WORK/handoff"

# The exported AdamW state loads into torch.optim.AdamW as it is, with the moments and step it had here.
"$PYTHON" - "$WORK/handoff" <<'PY'
import json, sys, torch
from safetensors.torch import load_file
from transformers import GPT2LMHeadModel
handoff = sys.argv[1]
model = GPT2LMHeadModel.from_pretrained(f"{handoff}/model")
params = list(model.parameters())
groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.01}, {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
opt = torch.optim.AdamW(groups, lr=1e-3)
saved = torch.load(f"{handoff}/optimizer.pt", weights_only=True)
opt.load_state_dict(saved)
ours = load_file(f"{json.load(open(f'{handoff}/handoff.json'))['checkpoint']['from']}/optimizer.safetensors")
names = dict((id(p), n) for n, p in model.named_parameters())
checked = 0
for p in params:
    state = opt.state[p]
    name = names[id(p)]
    assert torch.equal(state["exp_avg"], ours[f"{name}/m"]), name
    assert torch.equal(state["exp_avg_sq"], ours[f"{name}/v"]), name
    checked += 1
print(json.dumps({"load_state_dict": "ok", "parameters_checked": checked, "step": float(next(iter(opt.state.values()))["step"]), "torch": torch.__version__}))
PY

"$PYTHON" -m torch.distributed.run --nproc_per_node=2 "$HERE/train_ddp.py" --handoff "$WORK/handoff" --out "$WORK/back" --steps 3 --batch-size 2
$DIALOGPT import-torch --model "$WORK/back/model" --optimizer "$WORK/back/optimizer.pt" --out "$WORK/continued"

# What came back is what PyTorch had: every moment and the step, by parameter name.
"$PYTHON" - "$WORK" <<'PY'
import glob, json, sys, torch
from safetensors.torch import load_file
from transformers import GPT2LMHeadModel
work = sys.argv[1]
model = GPT2LMHeadModel.from_pretrained(f"{work}/back/model")
params = list(model.parameters())
groups = [{"params": [p for p in params if p.dim() >= 2]}, {"params": [p for p in params if p.dim() < 2]}]
opt = torch.optim.AdamW(groups)
opt.load_state_dict(torch.load(f"{work}/back/optimizer.pt", weights_only=True))
checkpoint = sorted(glob.glob(f"{work}/continued/checkpoints/step-*"))[-1]
ours = load_file(f"{checkpoint}/optimizer.safetensors")
names = dict((id(p), n) for n, p in model.named_parameters())
for p in params:
    assert torch.equal(opt.state[p]["exp_avg"], ours[f"{names[id(p)]}/m"]), names[id(p)]
    assert torch.equal(opt.state[p]["exp_avg_sq"], ours[f"{names[id(p)]}/v"]), names[id(p)]
state = json.load(open(f"{checkpoint}/trainer-state.json"))
print(json.dumps({"imported": checkpoint, "moments_equal": len(params), "torch_step": float(next(iter(opt.state.values()))["step"]), "our_step": state["optimizer"]["step"]}))
PY
$DIALOGPT train --resume --model "$WORK/back/model" --train "$WORK/store" --out "$WORK/continued" --steps 7 --batch-size 2 \
  --lr 1e-3 --schedule constant --json
