package dev.tuneloop.llm.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/** The one place that starts DJL's PyTorch engine: offline (the native library ships in the jar), CPU. */
public final class Djl {

    private Djl() {
    }

    /** The PyTorch engine, started offline on first use. */
    public static synchronized Engine engine() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        return Engine.getEngine("PyTorch");
    }

    /** A new root manager on the PyTorch engine; the caller closes it. */
    public static NDManager newManager() {
        return engine().newBaseManager();
    }
}
