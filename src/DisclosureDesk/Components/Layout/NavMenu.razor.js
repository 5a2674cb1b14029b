// Closes the narrow-screen menu after a link in it is chosen. A module rather than the template's inline onclick,
// which the pages' script-src policy (no 'unsafe-inline') would block.
document.addEventListener('click', event => {
    if (event.target instanceof Element && event.target.closest('.nav-scrollable')) {
        document.querySelector('.navbar-toggler')?.click();
    }
});
