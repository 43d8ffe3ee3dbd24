#!/usr/bin/env python3
"""Hugging Face side of tuneloop's interoperability check (see llm/README.md, "Interoperability").

Reads the fixtures that dev.tuneloop.llm.lora.InteropFixtures wrote (stories260K exported by HfExporter, an adapter
saved by PeftAdapters, a token sequence and the Java logits), then with transformers + PEFT:
  1. computes the logits of the exported base model (LlamaForCausalLM, eager attention, on the CPU);
  2. loads the Java adapter with PeftModel.from_pretrained, checks that every tensor arrived, and computes its logits;
  3. creates a new LoRA adapter with PEFT (r=4, alpha=16, all seven projections, random nonzero B, fixed seed),
     saves it with save_pretrained and computes its logits after loading it back;
and writes to --out: peft-adapter/ (for PeftAdapters.load), hf-logits.safetensors (float32 logits, plus the same
computed in float64 with suffix _f64) and report.json (versions and max |difference| to the Java logits).

Usage: python3 tools/interop/peft_check.py --fixtures llm/src/test/resources/interop --out /tmp/interop-out
"""
import argparse
import json
import os
import shutil
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything is local: never wait on the Hub
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import peft  # noqa: E402
import safetensors  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from peft import LoraConfig, PeftModel, get_peft_model, get_peft_model_state_dict  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402
from transformers import LlamaForCausalLM  # noqa: E402

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def load_base(hf_dir, dtype):
    return LlamaForCausalLM.from_pretrained(hf_dir, dtype=dtype, attn_implementation="eager").eval()


@torch.no_grad()
def logits(model, tokens):
    return model(input_ids=tokens).logits[0].to(torch.float32).contiguous()


def check_loaded(model, adapter_dir):
    """PEFT warns, not fails, on unmatched names: demand that the model holds exactly the file's tensors."""
    saved = load_file(os.path.join(adapter_dir, "adapter_model.safetensors"))
    held = get_peft_model_state_dict(model)
    assert set(saved) == set(held), f"names differ: {sorted(set(saved) ^ set(held))[:6]}"
    worst = max((saved[k].double() - held[k].double().cpu()).abs().max().item() for k in saved)
    assert worst == 0.0, f"{adapter_dir}: loaded values differ by {worst}"
    print(f"  {len(saved)} tensors of {adapter_dir} loaded exactly")


def create_peft_adapter(hf_dir, out_dir, tokens):
    """A fresh PEFT adapter whose B is random (PEFT starts B at zero, which would hide any mistake)."""
    torch.manual_seed(1234)
    config = LoraConfig(r=4, lora_alpha=16, lora_dropout=0.0, target_modules=TARGETS, task_type="CAUSAL_LM")
    model = get_peft_model(load_base(hf_dir, torch.float32), config)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.normal_(std=0.05)
    model.eval()
    model.save_pretrained(out_dir)
    # save_pretrained also writes a generic model card; the adapter is the two files our loader reads
    if os.path.exists(os.path.join(out_dir, "README.md")):
        os.remove(os.path.join(out_dir, "README.md"))
    return logits(model, tokens)


def all_logits(args, dtype, tokens, peft_dir):
    hf_dir = os.path.join(args.fixtures, "stories260K-hf")
    java_adapter = os.path.join(args.fixtures, "java-adapter")
    out = {"base": logits(load_base(hf_dir, dtype), tokens)}
    ours = PeftModel.from_pretrained(load_base(hf_dir, dtype), java_adapter).eval()
    check_loaded(ours, java_adapter)
    out["java_adapter"] = logits(ours, tokens)
    theirs = PeftModel.from_pretrained(load_base(hf_dir, dtype), peft_dir).eval()
    check_loaded(theirs, peft_dir)
    out["peft_adapter"] = logits(theirs, tokens)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", required=True, help="llm/src/test/resources/interop")
    parser.add_argument("--out", required=True, help="folder for peft-adapter/, hf-logits.safetensors, report.json")
    args = parser.parse_args()
    torch.use_deterministic_algorithms(True)
    versions = {m.__name__: m.__version__ for m in (torch, transformers, peft, safetensors)}
    versions["python"] = sys.version.split()[0]
    print("versions:", versions)

    with open(os.path.join(args.fixtures, "inputs.json")) as f:
        tokens = torch.tensor([json.load(f)["tokens"]], dtype=torch.long)
    java = load_file(os.path.join(args.fixtures, "java-logits.safetensors"))
    os.makedirs(args.out, exist_ok=True)
    peft_dir = os.path.join(args.out, "peft-adapter")
    shutil.rmtree(peft_dir, ignore_errors=True)
    in_memory = create_peft_adapter(os.path.join(args.fixtures, "stories260K-hf"), peft_dir, tokens)

    results = all_logits(args, torch.float32, tokens, peft_dir)
    report = {"versions": versions, "tokens": tokens.shape[1],
              "peft_reloaded_vs_in_memory": (results["peft_adapter"] - in_memory).abs().max().item()}
    try:  # the same in float64: how far each float32 implementation is from the exact computation
        results.update({k + "_f64": v for k, v in all_logits(args, torch.float64, tokens, peft_dir).items()})
    except Exception as e:  # informative only; the float32 results stand on their own
        print("float64 pass failed:", repr(e))
    for name in ("base", "java_adapter"):
        report[f"max_abs_diff_java_vs_hf_{name}"] = (java[name] - results[name]).abs().max().item()
        if name + "_f64" in results:
            report[f"max_abs_diff_java_vs_hf_f64_{name}"] = (java[name] - results[name + "_f64"]).abs().max().item()
            report[f"max_abs_diff_hf_vs_hf_f64_{name}"] = (results[name] - results[name + "_f64"]).abs().max().item()
    report["max_abs_logit_base"] = results["base"].abs().max().item()
    report["max_abs_change_by_java_adapter"] = (results["java_adapter"] - results["base"]).abs().max().item()
    report["max_abs_change_by_peft_adapter"] = (results["peft_adapter"] - results["base"]).abs().max().item()
    save_file(results, os.path.join(args.out, "hf-logits.safetensors"), metadata={"format": "pt", **versions})
    with open(os.path.join(args.out, "report.json"), "w") as f:
        json.dump(report, f, indent=2)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
