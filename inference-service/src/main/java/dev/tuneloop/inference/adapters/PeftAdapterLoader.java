package dev.tuneloop.inference.adapters;

import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.PeftAdapters;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.proto.v1.AdapterPublished;

/**
 * Loads a published PEFT adapter from the object store into the served base model's shapes. The publication's base
 * model checksum is compared first, then the LLM core's loader checks the adapter's own record and every tensor.
 */
public final class PeftAdapterLoader implements AdapterLoader<LoraAdapter> {
    private final ObjectStore store;
    private final LoadedModel model;

    public PeftAdapterLoader(ObjectStore store, LoadedModel model) {
        this.store = store;
        this.model = model;
    }

    @Override
    public LoraAdapter load(AdapterPublished published) {
        String what = "adapter " + published.getName() + "@" + published.getVersion();
        String sha = published.getBaseModelSha256();
        if (!sha.isEmpty() && !sha.equals(model.id().sha256())) {
            throw new AdapterUnavailableException(what + " was trained on base model \"" + published.getBaseModelId()
                    + "\" (sha256 " + abbreviate(sha) + ") but this service serves \"" + model.id().name()
                    + "\" (sha256 " + abbreviate(model.id().sha256()) + ")", null);
        }
        try (ObjectDirectory files = ObjectDirectory.download(store, published.getLocation())) {
            return PeftAdapters.load(files.path(), model);
        } catch (AdapterUnavailableException e) {
            throw new AdapterUnavailableException(what + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new AdapterUnavailableException(what + " cannot be loaded from " + published.getLocation() + ": "
                    + e.getMessage(), e);
        }
    }

    private static String abbreviate(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
    }
}
