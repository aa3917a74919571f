"""Continue a @dialogpt training run in PyTorch with DistributedDataParallel, and hand it back.

Input: the directory `dialogpt export-torch` wrote (data/train-RRRRR-of-NNNNN.jsonl, model/, and
optionally optimizer.pt and handoff.json). Output: a Hugging Face model directory plus the AdamW
state, which `dialogpt import-torch` turns back into a checkpoint for `dialogpt train --resume`.

    torchrun --nproc_per_node=8 examples/scale-out/train_ddp.py --handoff handoff/ --out back/ --steps 1000

Each rank reads its own data file (example i of the store is in file i mod world size) and keeps
DialoGPT's objective: `lm_labels[t]` is what position t predicts (already shifted), -1 is not trained,
loss = mean cross-entropy over the labelled tokens of the batch. The optimizer is torch.optim.AdamW
with the library's grouping (group 0: the weight matrices, decayed; group 1: biases and LayerNorms),
so optimizer.pt loads as is and training continues without a fresh warm-up. Runs on GPUs (NCCL)
or, without them, on CPUs (gloo).
"""

import argparse
import json
import os
import random

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from transformers import GPT2LMHeadModel


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--handoff", required=True, help="the directory dialogpt export-torch wrote")
    p.add_argument("--out", required=True, help="where rank 0 writes model/ and optimizer.pt")
    p.add_argument("--steps", type=int, default=1000, help="optimizer steps to take")
    p.add_argument("--batch-size", type=int, default=4, help="examples per rank per step")
    p.add_argument("--lr", type=float, default=None, help="learning rate (default: the exported run's)")
    p.add_argument("--max-grad-norm", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=42)
    return p.parse_args()


def read_examples(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def batches(examples, batch_size, seed):
    """Endless shuffled batches, padded with input 0 and label -1 (as DialoGPT's collate pads)."""
    rng = random.Random(seed)
    epoch = 0
    while True:
        order = list(range(len(examples)))
        rng.shuffle(order)
        for start in range(0, len(order) - batch_size + 1, batch_size):
            rows = [examples[i] for i in order[start : start + batch_size]]
            width = max(len(r["input_ids"]) for r in rows)
            ids = torch.zeros(len(rows), width, dtype=torch.long)
            labels = torch.full((len(rows), width), -1, dtype=torch.long)
            for k, r in enumerate(rows):
                ids[k, : len(r["input_ids"])] = torch.tensor(r["input_ids"])
                labels[k, : len(r["lm_labels"])] = torch.tensor(r["lm_labels"])
            yield ids, labels
        epoch += 1


def param_groups(model, weight_decay):
    """The library's AdamW grouping, in model.parameters() order: matrices decayed, vectors not."""
    params = list(model.parameters())
    return [
        {"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ]


def main():
    args = parse_args()
    gpu = torch.cuda.is_available()
    dist.init_process_group("nccl" if gpu else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    device = torch.device("cuda", local_rank) if gpu else torch.device("cpu")
    if gpu:
        torch.cuda.set_device(device)
    torch.manual_seed(args.seed)

    handoff_path = os.path.join(args.handoff, "handoff.json")
    handoff = json.load(open(handoff_path)) if os.path.exists(handoff_path) else {}
    files = sorted(f for f in os.listdir(os.path.join(args.handoff, "data")) if f.endswith(".jsonl"))
    if len(files) != world:
        raise SystemExit(f"{len(files)} data files for {world} ranks: export with --world-size {world}")
    examples = read_examples(os.path.join(args.handoff, "data", files[rank]))

    model = GPT2LMHeadModel.from_pretrained(os.path.join(args.handoff, "model")).to(device)
    hyper = handoff.get("checkpoint", {}).get("hyper", {})
    lr = args.lr if args.lr is not None else hyper.get("lr", 1e-5)
    betas = tuple(hyper.get("betas", (0.9, 0.999)))
    optimizer = torch.optim.AdamW(param_groups(model, hyper.get("weightDecay", 0.01)), lr=lr, betas=betas, eps=hyper.get("eps", 1e-8))
    optimizer_file = os.path.join(args.handoff, "optimizer.pt")
    start_step = 0
    if os.path.exists(optimizer_file):
        optimizer.load_state_dict(torch.load(optimizer_file, map_location=device, weights_only=True))
        for group in optimizer.param_groups:
            group["lr"] = lr
        start_step = int(next(iter(optimizer.state.values()))["step"])
    ddp = DistributedDataParallel(model, device_ids=[local_rank] if gpu else None)
    model.train()

    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-1)
    stream = batches(examples, args.batch_size, args.seed + rank)
    for step in range(start_step + 1, start_step + args.steps + 1):
        ids, labels = next(stream)
        ids, labels = ids.to(device), labels.to(device)
        logits = ddp(input_ids=ids).logits
        # No shift: lm_labels are aligned with the positions already (DialoGPT's convention).
        loss = loss_fn(logits.reshape(-1, logits.size(-1)), labels.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_grad_norm)
        optimizer.step()
        if rank == 0:
            print(json.dumps({"step": step, "loss": round(loss.item(), 6)}), flush=True)

    if rank == 0:
        os.makedirs(args.out, exist_ok=True)
        model.save_pretrained(os.path.join(args.out, "model"), safe_serialization=True)
        torch.save(optimizer.state_dict(), os.path.join(args.out, "optimizer.pt"))
        json.dump({"step": start_step + args.steps, "world_size": world}, open(os.path.join(args.out, "handback.json"), "w"))
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
