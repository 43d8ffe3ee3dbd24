package dev.tuneloop.inference.adapters;

/**
 * Which model a request wants: the base ({@code ""}), the version an adapter's production alias
 * points at ({@code "name"}), the version another alias points at ({@code "name@candidate"}) or one
 * version ({@code "name@version"}). Which of the last two {@code name@x} is, the catalog decides
 * ({@link AdapterCatalog#resolve}).
 *
 * @param name the adapter name, empty for the base model
 * @param version an alias or a version after the {@code @}, or null for the production alias
 */
public record AdapterRef(String name, String version) {
  public static final AdapterRef BASE = new AdapterRef("", null);

  public static AdapterRef parse(String text) {
    String s = text == null ? "" : text.strip();
    if (s.isEmpty()) {
      return BASE;
    }
    int at = s.lastIndexOf('@');
    if (at < 0) {
      return new AdapterRef(s, null);
    }
    if (at == 0 || at == s.length() - 1) {
      throw new IllegalArgumentException(
          "adapter \"" + text + "\" must be \"name\", \"name@alias\" or \"name@version\"");
    }
    return new AdapterRef(s.substring(0, at), s.substring(at + 1));
  }

  public boolean isBase() {
    return name.isEmpty();
  }

  @Override
  public String toString() {
    return isBase() ? "(base model)" : version == null ? name : name + "@" + version;
  }
}
