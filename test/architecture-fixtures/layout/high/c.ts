// Fixture of the layout check: a file of the upper part that the lower part imports against the direction.

export const c = 3;
