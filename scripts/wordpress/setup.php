<?php
/**
 * Installs the Crosspost test WordPress and its users, idempotently, from the CLI.
 *
 * Run by scripts/wordpress-test-site.sh as: php setup.php DOCUMENT_ROOT
 * Reads from the environment:
 *   WP_ADMIN_PASSWORD      the admin's login password (kept in the state file)
 *   WP_PERMALINKS          "pretty" or "plain"
 *   WP_ADMIN_APP_PASSWORD  / WP_READER_APP_PASSWORD: application passwords made by an
 *                          earlier run; kept when still valid, else replaced
 * Prints NAME=value lines (the application passwords in use) on stdout.
 */

if ($argc < 2) {
    fwrite(STDERR, "usage: php setup.php DOCUMENT_ROOT\n");
    exit(2);
}

const ADMIN_LOGIN = 'crosspost-admin';
const READER_LOGIN = 'crosspost-reader';
const APP_NAME = 'crosspost-tests';

$docroot = rtrim($argv[1], '/');
$home = getenv('WP_HOME_URL');
$host = parse_url($home, PHP_URL_HOST) . ':' . parse_url($home, PHP_URL_PORT);

// WordPress expects a web request; these keep it from guessing from the CLI.
$_SERVER['HTTP_HOST'] = $host;
$_SERVER['SERVER_NAME'] = parse_url($home, PHP_URL_HOST);
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';

// Without this, an uninstalled site redirects to install.php and exits.
define('WP_INSTALLING', true);
require $docroot . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/user.php';

function fail($message)
{
    fwrite(STDERR, "setup.php: $message\n");
    exit(1);
}

function ensure_installed($admin_password)
{
    global $wp_db_version;
    if (is_blog_installed()) {
        // A newer Debian package: bring the database schema up to date, as wp-admin would.
        if ((int) get_option('db_version') !== (int) $wp_db_version) {
            wp_upgrade();
            fwrite(STDERR, "WordPress database upgraded\n");
        }
        return;
    }
    $result = wp_install('Crosspost test site', ADMIN_LOGIN, 'admin@crosspost.test', false, '', $admin_password);
    if (is_wp_error($result)) {
        fail('wp_install: ' . $result->get_error_message());
    }
    fwrite(STDERR, "WordPress installed\n");
}

function ensure_user($login, $role, $password)
{
    $user = get_user_by('login', $login);
    if (!$user) {
        $id = wp_insert_user(array(
            'user_login' => $login,
            'user_pass' => $password,
            'user_email' => $login . '@crosspost.test',
            'display_name' => $login,
            'role' => $role,
        ));
        if (is_wp_error($id)) {
            fail("creating $login: " . $id->get_error_message());
        }
        $user = get_user_by('id', $id);
    }
    if (!in_array($role, $user->roles, true)) {
        $user->set_role($role);
    }
    return $user;
}

/** The application password to use: the earlier one if WordPress still accepts it. */
function ensure_app_password($user, $known)
{
    foreach (WP_Application_Passwords::get_user_application_passwords($user->ID) as $item) {
        if ($item['name'] !== APP_NAME) {
            continue;
        }
        if ($known !== '' && wp_check_password($known, $item['password'])) {
            return $known;
        }
        WP_Application_Passwords::delete_application_password($user->ID, $item['uuid']);
    }
    $created = WP_Application_Passwords::create_new_application_password($user->ID, array('name' => APP_NAME));
    if (is_wp_error($created)) {
        fail("application password for {$user->user_login}: " . $created->get_error_message());
    }
    return $created[0];
}

function ensure_permalinks($style)
{
    global $wp_rewrite;
    $structure = $style === 'plain' ? '' : '/%year%/%monthnum%/%postname%/';
    if (get_option('permalink_structure') !== $structure) {
        $wp_rewrite->set_permalink_structure($structure);
        flush_rewrite_rules(false);
    }
}

ensure_installed(getenv('WP_ADMIN_PASSWORD'));
if (!wp_is_application_passwords_available()) {
    fail('application passwords are unavailable (is WP_ENVIRONMENT_TYPE "local"?)');
}
ensure_permalinks(getenv('WP_PERMALINKS') ?: 'pretty');
$admin = ensure_user(ADMIN_LOGIN, 'administrator', getenv('WP_ADMIN_PASSWORD'));
$reader = ensure_user(READER_LOGIN, 'subscriber', wp_generate_password(24, false));

echo 'WP_ADMIN_APP_PASSWORD=' . ensure_app_password($admin, (string) getenv('WP_ADMIN_APP_PASSWORD')) . "\n";
echo 'WP_READER_APP_PASSWORD=' . ensure_app_password($reader, (string) getenv('WP_READER_APP_PASSWORD')) . "\n";
