using DisclosureDesk.Features.Cases;

namespace DisclosureDesk.Features.Notifications.Templates;

/// <summary>
/// The short, service-specific fix an owner needs. Kept in code rather than in each template so an
/// administrator's edited template still gets correct advice for every engine.
/// </summary>
internal static class ServiceGuidance
{
    public static string Describe(ServiceEngine service) => service switch
    {
        ServiceEngine.MongoDB => "MongoDB database",
        ServiceEngine.Elasticsearch => "Elasticsearch cluster",
        ServiceEngine.Kibana => "Kibana dashboard",
        ServiceEngine.Redis => "Redis server",
        ServiceEngine.CouchDB => "CouchDB database",
        ServiceEngine.Cassandra => "Cassandra cluster",
        ServiceEngine.MySQL => "MySQL database",
        ServiceEngine.PostgreSQL => "PostgreSQL database",
        ServiceEngine.S3Bucket => "S3-compatible storage bucket",
        ServiceEngine.Kafka => "Kafka broker",
        _ => "network service",
    };

    public static IReadOnlyList<string> Remediation(ServiceEngine service) => service switch
    {
        ServiceEngine.MongoDB =>
        [
            "Bind mongod to localhost or a private interface (net.bindIp in mongod.conf).",
            "Enable access control (security.authorization: enabled) and create users with strong passwords.",
            "Block port 27017 from the internet in your firewall or cloud security group.",
        ],
        ServiceEngine.Elasticsearch =>
        [
            "Enable the security features (xpack.security.enabled: true) so every request needs credentials.",
            "Set network.host to localhost or a private address.",
            "Block ports 9200 and 9300 from the internet in your firewall or cloud security group.",
        ],
        ServiceEngine.Kibana =>
        [
            "Require a login for Kibana (enable Elasticsearch security and configure Kibana's credentials).",
            "Set server.host to localhost or a private address, or put Kibana behind your VPN or SSO proxy.",
            "Block port 5601 from the internet in your firewall or cloud security group.",
        ],
        ServiceEngine.Redis =>
        [
            "Bind Redis to localhost or a private interface (bind 127.0.0.1 -::1) and keep protected-mode yes.",
            "Require authentication (requirepass, or ACL users on Redis 6 and later).",
            "Block port 6379 from the internet in your firewall or cloud security group.",
        ],
        ServiceEngine.CouchDB =>
        [
            "Make sure an admin user is configured so anonymous requests are refused.",
            "Set bind_address in the [chttpd] section to 127.0.0.1 or a private address.",
            "Block port 5984 from the internet in your firewall or cloud security group.",
        ],
        ServiceEngine.Cassandra =>
        [
            "Enable PasswordAuthenticator and CassandraAuthorizer in cassandra.yaml and replace the default cassandra superuser.",
            "Set rpc_address and listen_address to private addresses.",
            "Block port 9042 from the internet in your firewall or cloud security group.",
        ],
        ServiceEngine.MySQL =>
        [
            "Remove accounts with empty or default passwords and any account allowed from '%' that does not need it.",
            "Set bind-address to 127.0.0.1 or a private address.",
            "Block port 3306 from the internet in your firewall or cloud security group.",
        ],
        ServiceEngine.PostgreSQL =>
        [
            "Replace any 'trust' entries in pg_hba.conf with scram-sha-256 and set strong passwords.",
            "Set listen_addresses to localhost or a private address.",
            "Block port 5432 from the internet in your firewall or cloud security group.",
        ],
        ServiceEngine.S3Bucket =>
        [
            "Turn on the provider's block-public-access setting for the bucket.",
            "Remove anonymous (public) read and list permissions from the bucket policy and object ACLs.",
            "If the data must be shared, use short-lived signed URLs instead of public access.",
        ],
        ServiceEngine.Kafka =>
        [
            "Enable SASL authentication and ACLs on the brokers.",
            "Bind the listeners to private interfaces and set advertised.listeners accordingly.",
            "Block port 9092 from the internet in your firewall or cloud security group.",
        ],
        _ =>
        [
            "Require authentication for the service.",
            "Bind it to localhost or a private interface.",
            "Allow access in your firewall only from the hosts that need it.",
        ],
    };
}
