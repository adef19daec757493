/** The dashboard's icon: a key in the project's blue, as SVG (no binary asset, no build step). */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="6" fill="#1f5fbf"/>
<circle cx="12" cy="16" r="6" fill="none" stroke="#fff" stroke-width="3"/>
<path d="M18 16h10M24 16v5M28 16v4" stroke="#fff" stroke-width="3" fill="none" stroke-linecap="round"/>
</svg>
`;
