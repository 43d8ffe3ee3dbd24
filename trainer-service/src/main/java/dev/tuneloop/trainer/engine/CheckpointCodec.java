package dev.tuneloop.trainer.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.List;

/** Packs the loop's tensors into a {@link Checkpoint} and back. Tensor names say what each array is. */
public final class CheckpointCodec {

    private static final ObjectMapper JSON =
            JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private CheckpointCodec() {}

    static Checkpoint encode(TrainerState state, List<NDArray> params, AdamW optimizer, List<NDArray> best) {
        try (NDManager scope = params.getFirst().getManager().newSubManager()) {
            var list = new NDList();
            for (int i = 0; i < params.size(); i++) {
                list.add(named(params.get(i), "param." + i, scope));
            }
            NDList moments = optimizer.state();
            list.add(named(moments.get(0), "adam.m", scope));
            list.add(named(moments.get(1), "adam.v", scope));
            for (int i = 0; i < best.size(); i++) {
                list.add(named(best.get(i), "best." + i, scope));
            }
            return new Checkpoint(state, list.encode());
        }
    }

    /**
     * Restores parameters and moments in place and returns the best-eval copy (empty when there is none yet).
     *
     * @param steps optimizer steps behind the moments, for bias correction
     */
    static NDList decode(Checkpoint checkpoint, List<NDArray> params, AdamW optimizer, NDManager manager) {
        NDList list = NDList.decode(manager, checkpoint.tensors());
        int expected = params.size() * (checkpoint.state().hasBest() ? 2 : 1) + 2;
        if (list.size() != expected) {
            throw new IllegalStateException("checkpoint holds " + list.size() + " tensors, expected " + expected
                    + " for " + params.size() + " parameters: it belongs to a different adapter layout");
        }
        for (int i = 0; i < params.size(); i++) {
            NDArray saved = list.get(i);
            if (!saved.getShape().equals(params.get(i).getShape())) {
                throw new IllegalStateException("checkpoint parameter " + i + " has shape " + saved.getShape()
                        + ", the model's has " + params.get(i).getShape());
            }
            params.get(i).set(saved.toFloatArray());
        }
        optimizer.restore(list.get(params.size()), list.get(params.size() + 1), checkpoint.state().step());
        var best = new NDList();
        for (int i = params.size() + 2; i < list.size(); i++) {
            best.add(list.get(i));
        }
        return best;
    }

    /** The state as JSON (the object store keeps it beside the tensors). */
    public static byte[] stateJson(TrainerState state) throws IOException {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state);
    }

    public static TrainerState stateFromJson(byte[] json) throws IOException {
        return JSON.readValue(json, TrainerState.class);
    }

    private static NDArray named(NDArray array, String name, NDManager scope) {
        NDArray copy = array.duplicate();
        copy.attach(scope);
        copy.setName(name);
        return copy;
    }
}
