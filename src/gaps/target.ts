/** The plan's nodes a gap measurement needs: the trail, its selectors, its bucket's region, the org id. */
export const GAP_TARGET_NODES = ['trail', 's2', 'bucketLocation', 'organization'] as const;
