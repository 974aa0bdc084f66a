/** `gtos init <genesis.json>`: writes the genesis block and state into a datadir. */
import { hashToHex } from '../../crypto/primitives.js';
import { Blockchain } from '../../core/chain/blockchain.js';
import { loadGenesisFile } from '../../core/chain/genesis.js';
import { headerHash } from '../../types/header.js';
import { openChainDatabase } from '../../node/datadir.js';

export async function initCommand(genesisFile: string, datadir: string, out: (s: string) => void): Promise<void> {
  const genesis = loadGenesisFile(genesisFile);
  const db = await openChainDatabase(datadir);
  try {
    const chain = await Blockchain.open({ db, genesis });
    const g = chain.genesisHeader();
    out(`Successfully wrote genesis state: hash=${hashToHex(headerHash(g))} stateRoot=${hashToHex(g.stateRoot)} chainId=${chain.config.chainId}`);
  } finally {
    await db.close();
  }
}
