"""Build a tiny Llama model on disk, with no hub access, for testing the vLLM path.

Its answers are noise — the weights are random — but vLLM loads and serves it exactly as it
would a real checkpoint, which is what the tests need. Run it with the Python of
``.venv-vllm`` (it needs transformers, tokenizers and torch):

    .venv-vllm/bin/python deploy/vllm/tiny_model.py OUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|> {{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|> {% endif %}"
)
CORPUS = [
    "Wo ist meine Bestellung? Ihre Bestellung ist unterwegs und kommt morgen an.",
    "Where is my order? Your order has shipped and arrives tomorrow.",
    "Où est ma commande ? Votre commande est en route.",
    "Espresso, Filterkaffee, Mühle, Siebträger, Bohnen, Röstung, Versand, Rückgabe.",
] * 50


def build_tokenizer(out: Path):
    """A small byte-level BPE tokenizer with a chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=512, special_tokens=["<unk>", "<s>", "</s>", "<pad>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(CORPUS, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="<unk>", bos_token="<s>",
                                   eos_token="</s>", pad_token="<pad>")
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(out)
    return fast


def build_model(out: Path, vocab_size: int) -> None:
    """Two layers, hidden size 128, random bf16 weights, saved as safetensors."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(hidden_size=128, intermediate_size=256, num_hidden_layers=2, num_attention_heads=2,
                         num_key_value_heads=2, vocab_size=vocab_size, max_position_embeddings=512,
                         bos_token_id=1, eos_token_id=2, pad_token_id=3, torch_dtype="bfloat16")
    model = LlamaForCausalLM(config).to(torch.bfloat16)
    model.save_pretrained(out, safe_serialization=True)


def main(out: str) -> None:
    path = Path(out)
    path.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(path)
    build_model(path, len(tokenizer))
    print(f"tiny Llama model in {path} (vocabulary {len(tokenizer)})")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tiny_model.py OUT_DIR")
    main(sys.argv[1])
