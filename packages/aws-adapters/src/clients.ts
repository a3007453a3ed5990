/**
 * Where an adapter gets its SDK clients: injected (one per region), or built from a client
 * configuration per region. Never both (the Powertools convention).
 */
export type RegionalClients<Client, Config> =
  | { readonly awsSdkV3Clients: Readonly<Record<string, Client>>; readonly clientConfig?: never }
  | { readonly clientConfig?: Config; readonly awsSdkV3Clients?: never };

/** Builds clients per region on first use and keeps them. */
export class ClientCache<Client, Config extends object> {
  private readonly built = new Map<string, Client>();
  constructor(
    private readonly source: RegionalClients<Client, Config>,
    private readonly create: (config: Config & { region: string }) => Client,
  ) {}

  /** The client for `region`. */
  get(region: string): Client {
    const injected = this.source.awsSdkV3Clients;
    if (injected) {
      const client = injected[region];
      if (!client) throw new Error(`no client was given for region ${region}`);
      return client;
    }
    let client = this.built.get(region);
    if (!client) {
      client = this.create({ ...((this.source.clientConfig ?? {}) as Config), region });
      this.built.set(region, client);
    }
    return client;
  }
}
