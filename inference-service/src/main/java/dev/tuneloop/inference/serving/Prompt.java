package dev.tuneloop.inference.serving;

import dev.tuneloop.llm.generate.SamplingParams;

/** A tokenized prompt and the core's sampling parameters (template stop sequences included). */
public record Prompt(int[] tokens, SamplingParams sampling) {}
