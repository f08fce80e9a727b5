// Fixture of the layout check: a file in no part of the fixture's table.

export const stray = 0;
