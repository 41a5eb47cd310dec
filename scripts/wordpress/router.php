<?php
/**
 * Router for PHP's built-in server in front of the Crosspost test WordPress.
 *
 * Real files (scripts, uploads) are served as they are; every other path goes to
 * WordPress's index.php, which is what Apache's rewrite rules do for pretty
 * permalinks (/wp-json/..., /2026/05/a-post/).
 */

$root = rtrim($_SERVER['DOCUMENT_ROOT'], '/');
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$path = is_string($path) ? rawurldecode($path) : '/';
$target = $root . $path;

// A crafted "/../" path must not reach files outside the document root.
if (strpos($path, '..') === false) {
    if (is_file($target)) {
        return false;
    }
    if (is_dir($target) && is_file(rtrim($target, '/') . '/index.php')) {
        return false;
    }
}

$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $root . '/index.php';
chdir($root);
require $root . '/index.php';
