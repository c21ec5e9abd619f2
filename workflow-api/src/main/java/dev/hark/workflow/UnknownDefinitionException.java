package dev.hark.workflow;

import java.util.List;

/** No workflow definition has the requested name. */
public class UnknownDefinitionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Names the requested definition and how many there are, never the whole list (GET /health has it). */
    public UnknownDefinitionException(String name, List<String> known) {
        super("no workflow definition named '" + name + "'; this runtime has "
                + (known.isEmpty()
                        ? "none (add a plugin with one to the plugins folder)"
                        : known.size() + " (GET /health lists them under \"definitions\")"));
    }
}
