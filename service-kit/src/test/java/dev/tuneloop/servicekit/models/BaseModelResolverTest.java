package dev.tuneloop.servicekit.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each source a base model may come from, and a refusal for everything else. */
@WithInfra
class BaseModelResolverTest {

  @TempDir Path tmp;

  private BaseModelResolver resolver(ObjectStore store, List<String> allowed) {
    return new BaseModelResolver(Set.of("stories260K"), store, tmp.resolve("cache"), allowed);
  }

  @Test
  void builtInNameNeedsNothingElse(Infra infra) throws Exception {
    assertThat(resolver(infra.objectStore(), List.of()).resolve("stories260K"))
        .isEqualTo(new BaseModelResolver.Source.Builtin("stories260K"));
  }

  @Test
  void objectKeyUnderModelsIsDownloadedWithItsSiblings(Infra infra) throws Exception {
    ObjectStore store = infra.objectStore();
    store.ensureBucket();
    store.put(
        "models/tiny/model.bin",
        "weights".getBytes(StandardCharsets.UTF_8),
        "application/octet-stream");
    store.put(
        "models/tiny/tokenizer.bin",
        "vocab".getBytes(StandardCharsets.UTF_8),
        "application/octet-stream");
    var resolver = resolver(store, List.of());

    var file = (BaseModelResolver.Source.LocalFiles) resolver.resolve("models/tiny/model.bin");
    assertThat(file.path()).hasContent("weights");
    assertThat(file.path().resolveSibling("tokenizer.bin")).hasContent("vocab");
    var dir = (BaseModelResolver.Source.LocalFiles) resolver.resolve("models/tiny");
    assertThat(dir.path().resolve("model.bin")).hasContent("weights");
  }

  @Test
  void objectKeysThatClimbOutOrHoldNothingAreRefused(Infra infra) {
    ObjectStore store = infra.objectStore();
    store.ensureBucket();
    var resolver = resolver(store, List.of());
    assertThatThrownBy(() -> resolver.check("models/../datasets/globex/x/manifest.json"))
        .isInstanceOf(InvalidBaseModelException.class)
        .hasMessageContaining("\"..\"");
    assertThatThrownBy(() -> resolver.check("models//x"))
        .isInstanceOf(InvalidBaseModelException.class);
    assertThatThrownBy(() -> resolver.resolve("models/nothing-here"))
        .isInstanceOf(InvalidBaseModelException.class)
        .hasMessageContaining("nothing is stored")
        .hasMessageNotContaining(store.bucket());
  }

  @Test
  void localPathsAreRefusedByDefault(Infra infra) throws Exception {
    Path model = Files.writeString(tmp.resolve("model.bin"), "weights");
    var resolver = resolver(infra.objectStore(), List.of());
    assertThatThrownBy(() -> resolver.check(model.toString()))
        .isInstanceOf(InvalidBaseModelException.class)
        .hasMessageContaining(BaseModelResolver.SETTING);
    assertThatThrownBy(() -> resolver.check("/etc/passwd"))
        .isInstanceOf(InvalidBaseModelException.class);
    assertThatThrownBy(() -> resolver.check("some-unknown-model"))
        .isInstanceOf(InvalidBaseModelException.class)
        .hasMessageContaining("stories260K");
  }

  @Test
  void localPathInsideAnAllowedDirectoryLoadsAndNothingOutsideIt(Infra infra) throws Exception {
    Path allowed = Files.createDirectories(tmp.resolve("allowed"));
    Path model = Files.writeString(allowed.resolve("model.bin"), "weights");
    Path outside = Files.writeString(tmp.resolve("secret.bin"), "secret");
    Files.createSymbolicLink(allowed.resolve("link.bin"), outside);
    var resolver = resolver(infra.objectStore(), List.of(allowed.toString()));

    assertThat(resolver.resolve(model.toString()))
        .isEqualTo(new BaseModelResolver.Source.LocalFiles(model.toRealPath()));
    assertThatThrownBy(() -> resolver.check(outside.toString()))
        .isInstanceOf(InvalidBaseModelException.class);
    assertThatThrownBy(() -> resolver.check(allowed + "/../secret.bin"))
        .isInstanceOf(InvalidBaseModelException.class);
    assertThatThrownBy(() -> resolver.check(allowed.resolve("link.bin").toString()))
        .isInstanceOf(InvalidBaseModelException.class);
    assertThatThrownBy(() -> resolver.check("allowed/model.bin"))
        .isInstanceOf(InvalidBaseModelException.class)
        .hasMessageContaining("absolute");
  }

  @Test
  void relativeAllowedDirectoryIsAConfigurationError(Infra infra) {
    assertThatThrownBy(() -> resolver(infra.objectStore(), List.of("models")))
        .hasMessageContaining(BaseModelResolver.SETTING)
        .hasMessageContaining("absolute");
  }
}
