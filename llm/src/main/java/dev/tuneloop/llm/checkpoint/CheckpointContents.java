package dev.tuneloop.llm.checkpoint;

import dev.tuneloop.llm.model.LlamaConfig;
import dev.tuneloop.llm.model.StateDict;

/** A checkpoint read into memory: its config and its weights in Hugging Face names and layout. */
public record CheckpointContents(LlamaConfig config, StateDict weights) {}
