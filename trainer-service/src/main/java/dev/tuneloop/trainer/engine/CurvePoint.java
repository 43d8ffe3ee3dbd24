package dev.tuneloop.trainer.engine;

/** A value of a curve (training loss, eval loss) after an optimizer step. */
public record CurvePoint(long step, double value) {}
