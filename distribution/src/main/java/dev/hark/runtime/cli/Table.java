package dev.hark.runtime.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain text table with columns padded to their widest cell. */
final class Table {

    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
        rows.add(header);
    }

    void add(String... cells) {
        rows.add(cells);
    }

    /** @return whether it has no rows but its header */
    boolean isEmpty() {
        return rows.size() == 1;
    }

    void print(PrintWriter out) {
        print(out, "");
    }

    /** Prints every line after {@code indent}. */
    void print(PrintWriter out, String indent) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], String.valueOf(row[c]).length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder(indent);
            for (int c = 0; c < columns; c++) {
                String cell = String.valueOf(row[c]);
                line.append(cell);
                if (c < columns - 1) {
                    line.append(" ".repeat(widths[c] - cell.length() + 2));
                }
            }
            out.println(line);
        }
        out.flush();
    }
}
