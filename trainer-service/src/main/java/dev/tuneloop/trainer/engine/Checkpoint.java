package dev.tuneloop.trainer.engine;

/**
 * A resumable snapshot of a job: the loop's {@link TrainerState} and its tensors (LoRA parameters,
 * AdamW moments, the best-eval parameters) as exact float32 values.
 */
public record Checkpoint(TrainerState state, byte[] tensors) {}
